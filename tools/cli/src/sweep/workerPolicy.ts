import * as fs from 'fs';
import * as path from 'path';
import { ExperimentConfig, isFarziError, printable, UserError } from '@farzi/core';
import { dataDirs } from '../dataLookup';
import { checkExperiment, checkSourceFile } from '../experiment';
import type { Trial } from './sweepFile';

/**
 * What a worker lets a queued trial do, whoever signed it: load only the plugins it was started
 * with (`--allow-plugin`), read data only under its data folders, its own folder and the folders it
 * was given (`--allow-read`), and write only under its own folder (docs/security.md).
 */
export interface WorkerPolicy {
  /** The worker's own folder: every run directory is created under it. */
  out: string;
  /** Plugins a trial may name: as given, and as resolved files. */
  plugins: readonly string[];
  /** Real paths of the folders trials may read. */
  readRoots: readonly string[];
  dataDir?: string;
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
function realish(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

/** True when `p` is `root` or inside it (both real paths). */
export function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function workerPolicy(
  out: string,
  plugins: readonly string[],
  allowRead: readonly string[],
  dataDir?: string,
): WorkerPolicy {
  const resolved = plugins.flatMap((p) => {
    const asPath = p.startsWith('.') || path.isAbsolute(p) ? [path.resolve(p)] : [];
    try {
      return [p, ...asPath, require.resolve(asPath[0] ?? p, { paths: [process.cwd()] })];
    } catch {
      throw new UserError(
        `--allow-plugin ${p}: cannot find it (a package name or the path of a built plugin).`,
      );
    }
  });
  const roots = [...dataDirs(dataDir), out, ...allowRead].map(realish);
  return {
    out: realish(out),
    plugins: [...new Set(resolved)],
    readRoots: [...new Set(roots)],
    dataDir,
  };
}

/**
 * A queued trial checked against the policy and validated as `farzi train` validates a config;
 * errors are user errors that name the trial and what was refused.
 */
export function checkQueuedTrial(
  value: unknown,
  policy: WorkerPolicy,
): { trial: Trial; config: ExperimentConfig } {
  const trial = value as Partial<Trial> | null;
  if (
    !trial ||
    typeof trial !== 'object' ||
    typeof trial.id !== 'string' ||
    !/^[0-9a-f]{12}$/.test(trial.id)
  ) {
    throw new UserError(
      `refused a trial whose id ${printable(JSON.stringify((trial as { id?: unknown } | null)?.id ?? null), 60)} is not a sweep's (12 hexadecimal digits)`,
    );
  }
  const raw = trial.config;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new UserError(`trial ${trial.id}: no config`);
  if (!trial.settings || typeof trial.settings !== 'object')
    throw new UserError(`trial ${trial.id}: no settings`);
  const named = (raw as Record<string, unknown>).plugins;
  if (named !== undefined) {
    const list = Array.isArray(named) ? named : [named];
    for (const p of list) {
      const text = String(p);
      const file = text.startsWith('.') || path.isAbsolute(text) ? path.resolve(text) : text;
      if (
        ![text, file, resolvePlugin(file)].some(
          (f) => f !== undefined && policy.plugins.includes(f),
        )
      ) {
        throw new UserError(
          `trial ${trial.id} names plugin ${printable(JSON.stringify(text), 200)}, which this worker does not load: ` +
            'a plugin is code; start the worker with --allow-plugin <it> to run such trials.',
        );
      }
    }
  }
  let config: ExperimentConfig;
  try {
    const label = `trial ${trial.id}`;
    const raw2 = structuredClone(raw) as Record<string, unknown>;
    config = checkExperiment(raw2, label, policy.dataDir);
  } catch (error) {
    if (isFarziError(error)) throw error;
    throw new UserError(
      `trial ${trial.id}: not a valid config (${(error as Error).message.split('\n')[0]})`,
    );
  }
  const reads: [string, unknown][] = [
    ['data.path', config.data.path],
    ['train.source.path', (config.train.source as { path?: unknown } | undefined)?.path],
  ];
  for (const [key, value] of reads) {
    if (typeof value !== 'string' || value === '') continue;
    const real = realish(value);
    if (!policy.readRoots.some((root) => isInside(real, root))) {
      throw new UserError(
        `trial ${trial.id}: ${key} is outside the folders this worker reads (its data folders, its --out and --allow-read); ` +
          'put the file there or start the worker with --allow-read <its folder>.',
      );
    }
  }
  // Only once the paths are known to be inside: a missing file is not reported for any other.
  checkSourceFile(config, `trial ${trial.id}`);
  return { trial: trial as Trial, config };
}

/** The file Node would load for a plugin named by a trial, if any (nothing is loaded here). */
function resolvePlugin(spec: string): string | undefined {
  try {
    return require.resolve(spec, { paths: [process.cwd()] });
  } catch {
    return undefined;
  }
}

/**
 * An error as it may travel back through the queue: one paragraph, quoted text withheld (a quote
 * can hold a line of a file), control bytes escaped, at most 600 characters. The worker's own log
 * keeps the whole message.
 */
export function queueSafeError(message: string): string {
  const withheld = message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\s+/g, ' ');
  return printable(withheld.trim(), 600);
}
