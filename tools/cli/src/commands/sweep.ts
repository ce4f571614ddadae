import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkWritableDirectory, RunLock, UserError } from '@farzi/core';
import { requireString } from '../args';
import type { Command } from '../Command';
import type { Io } from '../Io';
import { checkExperiment, checkSourceFile } from '../experiment';
import { appServices } from '../plugins';
import { AttemptPolicy, runLocalSweep } from '../sweep/localSweep';
import { SweepProgress } from '../sweep/progress';
import { DEFAULT_QUEUE_NAME, runQueuedSweep } from '../sweep/queue';
import { readQueueSecret } from '../sweep/queueAuth';
import { checkReachable } from '../sweep/queueTarget';
import { summarize, writeSweepResults } from '../sweep/results';
import {
  countTrials,
  describeSettings,
  planTrials,
  readSweepFile,
  TrialFiles,
} from '../sweep/sweepFile';
import { finishedResult, TrialResult } from '../sweep/trialRunner';
import { queueOptions, queueTarget } from './worker';

/** Trials a sweep plans before it refuses (--max-trials). */
export const DEFAULT_MAX_TRIALS = 10_000;

/** Local workers by default: one per two cores (each training uses two threads). */
export function defaultWorkers(): number {
  return Math.max(1, Math.floor(os.cpus().length / 2));
}

export function positiveInteger(values: Record<string, unknown>, key: string): number | undefined {
  const text = values[key] as string | undefined;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new UserError(`--${key} ${text}: expected a whole number >= 0.`);
  }
  return n;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary:
    'train many trials from one sweep file (grid / list of overrides) on local workers or a Redis queue; writes sweep.csv and sweep.json',
  options: {
    config: {
      type: 'string',
      short: 'c',
      value: '<sweep.yaml>',
      description: 'sweep file (YAML or JSON)',
    },
    out: {
      type: 'string',
      short: 'o',
      value: '<dir>',
      description: 'sweep folder (default runs/sweep-<name>); re-running skips trials already done',
    },
    workers: {
      type: 'string',
      value: '<N>',
      description: `local worker processes (default ${defaultWorkers()}: one per two cores; with --queue, default 0)`,
    },
    ...queueOptions,
    'max-trials': {
      type: 'string',
      value: '<N>',
      description: `refuse a sweep of more trials than this (default ${DEFAULT_MAX_TRIALS})`,
    },
    'redis-wait': {
      type: 'string',
      value: '<s>',
      description:
        'with --queue: how long Redis may be away before the sweep stops with what finished (default 120)',
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      description:
        'where data sets named by data.dataset are (before $FARZI_DATA_DIR and the cache)',
    },
    'dry-run': { type: 'boolean', description: 'list the trials and stop' },
  },
  examples: [
    'npx farzi sweep --config configs/sweep-models-on-farzi.yaml --out runs/sweep',
    'npx farzi sweep --config configs/sweep-models-on-farzi.yaml --dry-run',
    'npx farzi sweep --config configs/sweep-models-on-farzi.yaml --out /shared/sweep --queue redis://10.0.0.5:6379 --queue-secret-file queue.secret',
    'npx farzi worker --queue redis://10.0.0.5:6379 --queue-secret-file queue.secret --out /shared/sweep',
  ],
  async run(values, io) {
    const file = requireString(values, 'config', this);
    const spec = readSweepFile(file);
    const dataDir = values['data-dir'] as string | undefined;
    const maxTrials = positiveInteger(values, 'max-trials') ?? DEFAULT_MAX_TRIALS;
    const count = countTrials(spec);
    if (count > maxTrials) {
      throw new UserError(
        `${file}: the grid and list make ${count.toLocaleString('en')} trials, more than --max-trials ${maxTrials}; ` +
          'sweep fewer settings, or raise --max-trials if you mean it.',
      );
    }
    let firstMetric: string | undefined; // the first trial's eval.metric, from its validation
    const files = new TrialFiles();
    const trials = planTrials(spec, (raw, label) => {
      const config = checkExperiment(raw, label, dataDir);
      // A file a trial trains on must exist before any trial runs (a listing does not need it).
      if (!values['dry-run']) checkSourceFile(config, label);
      firstMetric ??= config.eval.metric;
      if (spec.metric !== undefined) {
        const evaluator = appServices().evaluators.get(config.eval.evaluator);
        const names = evaluator.metricNames?.(config.eval);
        if (names && !names.includes(spec.metric)) {
          throw new UserError(
            `${spec.file}: metric ${JSON.stringify(spec.metric)} is not one the ${config.eval.evaluator} evaluator reports for ${label.replace(`${spec.file}: `, '')} (it reports ${names.join(', ')}).`,
          );
        }
      }
      files.add(config);
      return config;
    });
    const metric = spec.metric ?? (firstMetric as string);
    if (values['dry-run']) {
      for (const t of trials) io.out(`${t.id}  ${describeSettings(t.settings)}\n`);
      io.out(`${trials.length} trials\n`);
      return 0;
    }
    const out =
      (values.out as string | undefined) ??
      path.join('runs', `sweep-${path.basename(file).replace(/\.(json|ya?ml)$/i, '')}`);
    checkWritableDirectory(out, '--out');
    fs.mkdirSync(out, { recursive: true });
    // One sweep process per folder: a second would mark the first one's running trials failed.
    const lock = RunLock.acquire(out);
    try {
      return await runSweep(values, io, { spec, trials, out, metric, dataDir, files });
    } finally {
      lock.release();
    }
  },
};

interface PlannedSweep {
  spec: ReturnType<typeof readSweepFile>;
  trials: ReturnType<typeof planTrials>;
  out: string;
  metric: string;
  dataDir?: string;
  files: TrialFiles;
}

async function runSweep(
  values: Record<string, unknown>,
  io: Io,
  { spec, trials, out, metric, dataDir, files }: PlannedSweep,
): Promise<number> {
  const target = queueTarget(values);
  const secret = target
    ? readQueueSecret(values['queue-secret-file'] as string | undefined)
    : undefined;
  if (target) await checkReachable(target);
  const workers = positiveInteger(values, 'workers') ?? (target ? 0 : defaultWorkers());
  if (!target && workers === 0)
    throw new UserError('--workers 0 needs --queue (someone must run the trials).');
  const results = new Map<string, TrialResult>();
  for (const t of trials) {
    const done = finishedResult(out, t.id);
    if (done) results.set(t.id, done);
  }
  const todo = trials.filter((t) => !results.has(t.id));
  const policy: AttemptPolicy = { attempts: spec.attempts, backoff: spec.backoff };
  const progress = new SweepProgress(
    io,
    trials.length,
    Math.max(1, workers),
    trials.length - todo.length,
  );
  let fresh: TrialResult[] = [];
  try {
    if (target && secret) {
      const queueName = (values['queue-name'] as string | undefined) ?? DEFAULT_QUEUE_NAME;
      const { startLocalWorkers } = await import('../sweep/localWorkers');
      const stopWorkers = startLocalWorkers(workers, io, {
        queueUrl: (values.queue as string | undefined) ?? (process.env.FARZI_QUEUE as string),
        queueName,
        caFile: values['queue-ca-file'] as string | undefined,
        secret,
        out,
        dataDir,
        files,
      });
      try {
        fresh = await runQueuedSweep(todo, out, {
          target,
          queueName,
          secret,
          policy,
          progress,
          metric,
          io,
          redisWaitSeconds: positiveInteger(values, 'redis-wait'),
        });
      } finally {
        await stopWorkers();
      }
    } else {
      fresh = await runLocalSweep(todo, out, workers, policy, progress, metric);
    }
  } finally {
    // What finished is summarised whatever stopped the sweep.
    for (const r of fresh) results.set(r.id, r);
    const summary = summarize(spec, trials, results, metric);
    writeSweepResults(out, summary);
    printSummary(io, out, summary, metric);
  }
  const summary = summarize(spec, trials, results, metric);
  return summary.counts.failed > 0 || summary.counts.done < trials.length ? 1 : 0;
}

/** The sweep's outcome in four lines: folder, trial counts, the best trial on valid, result files. */
function printSummary(
  io: Io,
  out: string,
  summary: ReturnType<typeof summarize>,
  metric: string,
): void {
  io.out(`sweep folder   ${out}\n`);
  io.out(
    `trials         ${summary.counts.done} done, ${summary.counts.failed} failed of ${summary.counts.trials}\n`,
  );
  if (summary.best) {
    const test =
      summary.best.test === undefined ? '' : `, test ${metric} ${summary.best.test.toFixed(4)}`;
    io.out(
      `best (valid)   ${summary.best.id} ${describeSettings(summary.best.settings)}: valid ${metric} ${summary.best.valid.toFixed(4)}${test}\n`,
    );
  }
  io.out(`results        ${path.join(out, 'sweep.csv')}, ${path.join(out, 'sweep.json')}\n`);
}
