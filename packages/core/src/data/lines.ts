import * as fs from 'fs';
import * as nodePath from 'path';
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
    // Fatal decoding: bytes that are not UTF-8 are an error naming the line, never silently
    // replaced (which would merge ids such as caf\xe9 and caf\xe8 into one).
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const decode = (bytes: Buffer, stream: boolean): string => {
      try {
        return decoder.decode(bytes, { stream });
      } catch {
        const at = firstInvalidUtf8(bytes);
        let line = lineNumber + 1;
        for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
        throw new UserError(
          `${path}:${line}: bytes that are not valid UTF-8 (at byte ${total - bytes.length + at}); expected ${expected}, as UTF-8 text.`,
        );
      }
    };
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      const text = carry + decode(chunk.subarray(0, n), true);
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
    carry += decode(Buffer.alloc(0), false);
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
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const head = Buffer.alloc(10);
  const n = fs.readSync(fd, head, 0, 10, 0);
  const kind = compression(head.subarray(0, n));
  if (kind) {
    fs.closeSync(fd);
    throw new UserError(
      `${path} is ${kind}-compressed; this format reads plain text (expected ${expected}): decompress it first, or read it with "format": "event-log", which reads compressed logs directly.`,
    );
  }
  return fd;
}

/** The compression a file's first bytes announce (gzip, zip, zstd, bzip2, xz), if any. */
function compression(head: Uint8Array): string | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'zip';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  // "BZh", the block size digit, then the block magic (π's digits): not a line of text.
  if (starts(0x42, 0x5a, 0x68) && head[3] >= 0x31 && head[3] <= 0x39 && head[4] === 0x31)
    if ([0x41, 0x59, 0x26, 0x53, 0x59].every((b, i) => head[5 + i] === b)) return 'bzip2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  return undefined;
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

/**
 * A line of a data file, quoted for an error message: at most 120 characters, and every control
 * byte escaped (JSON string escapes), so that no file can flood or drive the terminal.
 */
export function quoteLine(line: string, limit = 120): string {
  const shown = line.length > limit ? `${line.slice(0, limit - 3)}...` : line;
  return JSON.stringify(shown).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Any message for the terminal: control bytes other than newline and tab escaped (`\u001b`), and
 * at most `limit` characters, so that text from a file or a peer can neither drive nor flood it.
 */
export function printable(text: string, limit = 4000): string {
  const cut = text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
  return cut.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A field of a data file (an id, a timestamp), quoted like `quoteLine` but at most 60 characters. */
export function quoteField(field: string): string {
  return quoteLine(field, 60);
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

/** Offset of the first byte that starts an invalid UTF-8 sequence (bytes.length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b < 0xe0
          ? 1
          : b >= 0xe0 && b < 0xf0
            ? 2
            : b >= 0xf0 && b < 0xf5
              ? 3
              : -1;
    if (need < 0) return i;
    if (i + need >= bytes.length) return need === 0 ? bytes.length : i; // cut off at the end
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return bytes.length;
}
