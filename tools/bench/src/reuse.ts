import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '@farzi/core';

/**
 * A benchmark reuses a finished run directory (and resumes an interrupted one) only when the run
 * was made with the settings the benchmark would use now: an edited shipped config or another
 * `--student-set` must not leave old numbers in a new table. Both sides are resolved by the CLI's
 * `config show` (the stored config.json too, so fields added since with their defaults compare
 * equal). `unread` names top-level sections the run's command does not read (a student's
 * `farzi train` does not read the `distill` section of the distillation config it is given), so
 * editing them does not void its runs.
 */
export function checkReusable(
  cli: string,
  dir: string,
  config: string,
  setArgs: readonly string[],
  unread: readonly string[] = [],
): void {
  const stored = path.join(dir, 'config.json');
  if (!fs.existsSync(stored)) return;
  const read = (x: unknown) => withoutSections(x, unread);
  const wanted = read(resolvedConfig(cli, ['--config', config, ...setArgs]));
  // The stored config as written (one CLI call fewer), else as resolved now (fields added since).
  const written = JSON.parse(fs.readFileSync(stored, 'utf8')) as unknown;
  if (!firstDifference(wanted, read(written))) return;
  const field = firstDifference(wanted, read(resolvedConfig(cli, ['--config', stored])));
  if (field) {
    throw new UserError(
      `${dir} was made with other settings than this run would use (${field.path}: ${field.had} there, ${field.wanted} now). ` +
        'Remove the directory to redo it, or write the benchmark elsewhere with --out.',
    );
  }
}

/** `farzi config show` of a config file and --set overrides, as JSON (its errors as they are). */
function resolvedConfig(cli: string, args: readonly string[]): unknown {
  const r = spawnSync(process.execPath, [cli, 'config', 'show', ...args], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new UserError(`farzi config show ${args.join(' ')}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout);
}

/** A config without the named top-level sections. */
export function withoutSections(config: unknown, sections: readonly string[]): unknown {
  if (!sections.length || typeof config !== 'object' || config === null) return config;
  return Object.fromEntries(
    Object.entries(config as Record<string, unknown>).filter(([k]) => !sections.includes(k)),
  );
}

/** The first path at which two JSON values differ (object keys in either), or undefined. */
export function firstDifference(
  wanted: unknown,
  had: unknown,
  at = '',
): { path: string; wanted: string; had: string } | undefined {
  if (JSON.stringify(wanted) === JSON.stringify(had)) return undefined;
  const objects = [wanted, had].every((x) => typeof x === 'object' && x !== null);
  if (!objects || Array.isArray(wanted) !== Array.isArray(had)) {
    const show = (x: unknown) => (x === undefined ? '(not set)' : JSON.stringify(x));
    return { path: at || '(the whole config)', wanted: show(wanted), had: show(had) };
  }
  const a = wanted as Record<string, unknown>;
  const b = had as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const found = firstDifference(a[key], b[key], at ? `${at}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}
