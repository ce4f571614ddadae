import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RunError, UserError, type DistillSummaryFile } from '@farzi/core';
import type { DatasetQualityOptions } from './datasetQuality';
import { checkReusable } from './reuse';

/* The quality benchmark's runs through the CLI, as a user runs them: a training or a distillation,
 * reused when finished with the same settings, resumed when interrupted, its output in <dir>.log. */

export interface Metrics {
  trainSeconds: number;
  bestEpoch: number | null;
  source: { events: number; sequences: number };
  valid?: { metrics: Record<string, number> };
  test?: { metrics: Record<string, number> };
}

export const readJson = <T>(file: string): T | undefined =>
  fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : undefined;

/**
 * Runs one CLI command with its output in `<dir>.log`; a failure names the log and its last lines
 * (no stack: the log says what went wrong) — a refused input (exit 2: a bad setting, a run
 * directory in use) as the user's mistake, anything else as a failed run.
 */
function farzi(options: DatasetQualityOptions, dir: string, args: string[]): void {
  const logFile = `${dir}.log`;
  const fd = fs.openSync(logFile, 'a');
  try {
    const r = spawnSync(process.execPath, [options.cli, ...args], { stdio: ['ignore', fd, fd] });
    if (r.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      const Failure = r.status === 2 ? UserError : RunError;
      throw new Failure(
        `farzi ${args[0]} for ${dir} failed (exit ${r.status}); ${logFile}:\n${tail}`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

export const sets = (list: readonly string[] = []) => list.flatMap((s) => ['--set', s]);

/**
 * The `--distill-set`s for one method: those without a prefix, and those written `<method>:k=v`
 * for this method (the prefix dropped), e.g. `td3:distill.outerLearningRate=0.003`.
 */
export function methodSets(list: readonly string[] = [], method: string): string[] {
  return list.flatMap((s) => {
    const { method: only, set } = splitMethodSet(s);
    return only === undefined || only === method ? [set] : [];
  });
}

/** A `--distill-set`'s method prefix (if any: a name and a colon before the first `=`) and set. */
export function splitMethodSet(s: string): { method?: string; set: string } {
  const m = /^([A-Za-z0-9_-]+):(?=[^=]*=)/.exec(s);
  return m ? { method: m[1], set: s.slice(m[0].length) } : { set: s };
}

/**
 * A training run, reused when finished and resumed when interrupted after a checkpoint — if it was
 * made with these settings (`given`: a finished run the user named, e.g. --teacher, used as it is).
 */
export function train(
  options: DatasetQualityOptions,
  dir: string,
  config: string,
  extra: string[],
  given = false,
) {
  // `farzi train` does not read the distill section (the students train from the distillation's
  // config): a changed distillation setting voids the distillations, not the baselines' students.
  // The config's name is a label.
  if (!given) checkReusable(options.cli, dir, config, extra, ['name', 'distill']);
  const done = readJson<Metrics>(path.join(dir, 'metrics.json'));
  if (done) return done;
  const resume = fs.existsSync(path.join(dir, 'checkpoints', 'last.safetensors'));
  if (!resume) fs.rmSync(dir, { recursive: true, force: true });
  options.log(`${resume ? 'resuming' : 'training'} ${dir}`);
  farzi(options, dir, [
    'train',
    '--config',
    config,
    ...extra,
    '--out',
    dir,
    ...(resume ? ['--resume'] : []),
  ]);
  return readJson<Metrics>(path.join(dir, 'metrics.json')) as Metrics;
}

export function distill(
  options: DatasetQualityOptions,
  method: string,
  config: string,
  dir: string,
  teacher: string,
  extra: string[],
) {
  const setArgs = [
    '--set',
    `distill.teacher.checkpoint=${teacher}`,
    ...sets(methodSets(options.distillSets, method)),
    ...extra,
  ];
  checkReusable(options.cli, dir, config, setArgs, ['name']);
  const done = readJson<DistillSummaryFile>(path.join(dir, 'summary.json'));
  if (done) return done;
  const resume = fs.existsSync(path.join(dir, 'config.json'));
  options.log(`${resume ? 'resuming' : 'distilling'} ${dir}`);
  farzi(options, dir, [
    'distill',
    '--config',
    config,
    ...setArgs,
    '--out',
    dir,
    ...(resume ? ['--resume'] : []),
  ]);
  return readJson<DistillSummaryFile>(path.join(dir, 'summary.json')) as DistillSummaryFile;
}
