import * as fs from 'fs';
import YAML from 'yaml';
import { firstInvalidUtf8 } from '../data/lines';
import { UserError } from '../errors/FarziError';

/** Reads a JSON or YAML config file into a plain object, with parse errors located by line. */
export function readConfigFile(path: string): Record<string, unknown> {
  const text = readConfigText(path);
  if (text.trim() === '')
    throw new UserError(`config file ${path} is empty; expected a JSON or YAML object.`);
  const isYaml = /\.ya?ml$/i.test(path);
  let value: unknown;
  if (isYaml) {
    const doc = YAML.parseDocument(text);
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const line = e.linePos?.[0];
      const where = line ? `:${line.line}:${line.col}` : '';
      throw new UserError(
        `${path}${where}: invalid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      );
    }
    value = doc.toJS();
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UserError(
        `${path}${jsonErrorLocation(text, error as Error)}: invalid JSON: ${(error as Error).message}`,
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(
      `config file ${path} must hold an object of sections (seed, data, model, …).`,
    );
  }
  const bad = forbiddenKeyPath(value);
  if (bad) throw new UserError(`${path}: ${bad}: ${FORBIDDEN_MESSAGE}`);
  return value as Record<string, unknown>;
}

/** Configs are small text files: larger ones, devices and binary files are refused unread. */
export const MAX_CONFIG_BYTES = 1 << 20;

function readConfigText(path: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) {
      throw new UserError(`--config ${path} is a folder; give a JSON or YAML config file in it.`);
    }
    if (!stat.isFile()) {
      throw new UserError(
        `--config ${path} is not a regular file; give a JSON or YAML config file.`,
      );
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new UserError(
        `--config ${path} is ${stat.size} bytes; a config is a JSON or YAML file of at most ${MAX_CONFIG_BYTES} bytes.`,
      );
    }
    const bytes = fs.readFileSync(fd);
    if (bytes.includes(0) || firstInvalidUtf8(bytes) < bytes.length) {
      throw new UserError(`--config ${path} is not a text file; give a JSON or YAML config file.`);
    }
    return bytes.toString('utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'EISDIR') {
      throw new UserError(`--config ${path} is a folder; give a JSON or YAML config file in it.`);
    }
    if (code === 'ENOENT') throw new UserError(`cannot read config file ${path}: no such file.`);
    throw new UserError(`cannot read config file ${path}: ${(error as Error).message}.`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Keys that would reach an object's prototype when merged: never a setting. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const FORBIDDEN_MESSAGE =
  '__proto__, constructor and prototype are not settings (they would change how every object behaves).';

/** The dotted path of the first forbidden key in a parsed config, if any. */
export function forbiddenKeyPath(value: unknown, at = ''): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const here = at ? `${at}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return here;
    const deeper = forbiddenKeyPath((value as Record<string, unknown>)[key], here);
    if (deeper) return deeper;
  }
  return undefined;
}

function jsonErrorLocation(text: string, error: Error): string {
  const match = /position (\d+)/.exec(error.message);
  if (!match) return '';
  const position = Number(match[1]);
  const before = text.slice(0, position).split('\n');
  return `:${before.length}:${before[before.length - 1].length + 1}`;
}

/**
 * Applies `--set key.path=value` overrides. The value is parsed as JSON when it is valid JSON
 * (numbers, booleans, lists, objects, quoted strings) and taken as a plain string otherwise.
 */
export function applyOverrides(
  config: Record<string, unknown>,
  overrides: readonly string[],
): Record<string, unknown> {
  const out = structuredClone(config);
  const given = new Set<string>(); // keys set by the overrides so far
  for (const override of overrides) {
    const eq = override.indexOf('=');
    if (eq <= 0) {
      throw new UserError(
        `--set ${override}: expected key.path=value, e.g. --set model.hiddenSize=64.`,
      );
    }
    const key = override.slice(0, eq).trim();
    const raw = override.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    const parts = key.split('.');
    if (parts.some((p) => p === ''))
      throw new UserError(`--set ${override}: "${key}" is not a valid key path.`);
    const bad = parts.find((p) => FORBIDDEN_KEYS.has(p)) ?? forbiddenKeyPath(value);
    if (bad) throw new UserError(`--set ${override.slice(0, 200)}: ${bad}: ${FORBIDDEN_MESSAGE}`);
    let node: Record<string, unknown> = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (next === undefined) {
        node[parts[i]] = {};
      } else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        throw new UserError(
          `--set ${override}: ${parts.slice(0, i + 1).join('.')} is ${JSON.stringify(next)}, not a section.`,
        );
      }
      node = node[parts[i]] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    const choice = NAMED_PARTS[parts.join('.')];
    if (choice && node[last] !== undefined && node[last] !== value) {
      // Another model / source / format: the file's settings for the old one go, so that the new
      // one starts from its own defaults; settings given with --set (before or after) stay.
      const prefix = parts.slice(0, -1).join('.');
      const keep = (k: string) =>
        [...given].some((g) => g === `${prefix}.${k}` || g.startsWith(`${prefix}.${k}.`));
      if (choice === 'section') {
        for (const k of Object.keys(node)) if (!keep(k)) delete node[k];
      } else if (!keep(choice)) delete node[choice];
    }
    node[last] = value;
    given.add(key);
  }
  return out;
}

/**
 * Keys that choose a named part, and what changing them resets: the whole section (`model`,
 * `train.source`) or the sibling that holds the part's options (`data.options`).
 */
const NAMED_PARTS: Record<string, 'section' | string> = {
  'model.name': 'section',
  'train.source.name': 'section',
  'data.format': 'options',
};
