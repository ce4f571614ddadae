import * as fs from 'fs';
import * as nodePath from 'path';
import { StringDecoder } from 'string_decoder';
import { UserError } from '../errors/FarziError';

/** Longest line any reader accepts (16 Mi characters): a file without newlines fails fast. */
export const MAX_LINE_LENGTH = 1 << 24;

/**
 * Calls `visit(line, lineNumber)` for every line of a text file (1-based line numbers, without the
 * line terminator), reading in chunks so that files larger than a JavaScript string can be read.
 * A missing, unreadable or empty file raises a `UserError` naming the path and what was expected.
 */
export function forEachLine(
  path: string,
  expected: string,
  visit: (line: string, lineNumber: number) => void,
): void {
  const fd = openForReading(path, expected);
  try {
    const chunk = Buffer.alloc(1 << 22);
    let carry = '';
    let lineNumber = 0;
    let total = 0;
    const decoder = new StringDecoder('utf8');
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      const text = carry + decoder.write(chunk.subarray(0, n));
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      if (carry.length > MAX_LINE_LENGTH) {
        throw new UserError(
          `${path}:${lineNumber + parts.length + 1}: a line longer than ${MAX_LINE_LENGTH.toLocaleString('en-US')} characters; ` +
            `expected ${expected} (is this a text file of that format?).`,
        );
      }
      for (const part of parts) visit(stripCr(part), ++lineNumber);
    }
    carry += decoder.end();
    if (total === 0) {
      throw new UserError(`${path} is empty; expected ${expected}.`);
    }
    if (carry.length > 0) visit(stripCr(carry), ++lineNumber);
  } finally {
    fs.closeSync(fd);
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function openForReading(path: string, expected: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new UserError(`cannot read ${path}: no such file; expected ${expected}.`);
  }
  if (stat.isDirectory()) {
    throw new UserError(`${path} is a directory; expected a file with ${expected}.`);
  }
  try {
    return fs.openSync(path, 'r');
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Resolves a data path that may name a file or a directory holding a file of a known name.
 * `candidates` are file names (or a predicate) tried inside a directory.
 */
export function resolveDataFile(
  path: string,
  candidates: string[] | ((name: string) => boolean),
  what: string,
): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new UserError(`cannot read ${path}: no such file or directory; expected ${what}.`);
  }
  if (!stat.isDirectory()) return path;
  const names = fs.readdirSync(path).sort();
  const matches =
    typeof candidates === 'function'
      ? names.filter(candidates)
      : candidates.filter((c) => names.includes(c));
  if (matches.length === 0) {
    throw new UserError(`${path} is a directory without ${what}.`);
  }
  if (typeof candidates === 'function' && matches.length > 1) {
    throw new UserError(
      `${path} holds several candidate files (${matches.join(', ')}); give the path of one ${what}.`,
    );
  }
  return nodePath.join(path, matches[0]);
}

/** Shortens a line for an error message. */
export function quoteLine(line: string): string {
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return JSON.stringify(shown);
}

/** The first line of a file (for headers); errors like `forEachLine` on missing or empty files. */
export function readFirstLine(path: string, expected: string): string {
  let first = '';
  const stop = Symbol('stop');
  try {
    forEachLine(path, expected, (line) => {
      first = line;
      throw stop;
    });
  } catch (e) {
    if (e !== stop) throw e;
  }
  return first;
}
