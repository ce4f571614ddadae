import { createHash } from 'crypto';
import * as path from 'path';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import Redis from 'ioredis';
import { UserError } from '@farzi/core';
import type { Io } from '../Io';
import { retryable, AttemptPolicy } from './localSweep';
import type { SweepProgress } from './progress';
import type { Trial } from './sweepFile';
import { finishedResult, recordResult, runTrial, TrialResult } from './trialRunner';

/** The queue every sweep and worker of one Redis uses (`--queue-name` to keep fleets apart). */
export const DEFAULT_QUEUE_NAME = 'farzi-sweep';

/** What a job carries: the trial and the sweep folder it belongs to. */
interface TrialJob {
  trial: Trial;
  out: string;
}

export interface RedisTarget {
  url: string;
  connection: { host: string; port: number; db?: number; username?: string; password?: string };
}

/** `redis://[user:password@]host:port[/db]`, checked, with the error a user can act on. */
export function parseQueueUrl(url: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(
      `--queue ${url}: expected redis://host:port (e.g. redis://127.0.0.1:6379).`,
    );
  }
  if (parsed.protocol !== 'redis:' || !parsed.hostname) {
    throw new UserError(
      `--queue ${url}: expected redis://host:port (e.g. redis://127.0.0.1:6379).`,
    );
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    url,
    connection: {
      host: parsed.hostname,
      port: Number(parsed.port || 6379),
      ...(db ? { db: Number(db) } : {}),
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    },
  };
}

/** Fails fast (exit 2) when Redis does not answer, instead of retrying forever. */
export async function checkReachable(target: RedisTarget, timeoutMs = 3000): Promise<void> {
  const client = new Redis({
    ...target.connection,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new UserError(
      `cannot reach Redis at ${target.url}: ${(error as Error).message}. Start it (redis-server --port ${target.connection.port}) or give the right --queue.`,
    );
  } finally {
    client.disconnect();
  }
}

/** The job id of a trial of a sweep folder: re-adding it is a no-op, so re-runs are idempotent. */
function jobId(out: string, trial: Trial): string {
  return `${createHash('sha256').update(path.resolve(out)).digest('hex').slice(0, 10)}-${trial.id}`;
}

/**
 * The fleet mode, coordinator side: every trial not yet done becomes a job; the results come back
 * through the queue (and are recorded in `out`), whatever machine ran them.
 */
export async function runQueuedSweep(
  trials: Trial[],
  out: string,
  target: RedisTarget,
  queueName: string,
  policy: AttemptPolicy,
  progress: SweepProgress,
  metric: string,
): Promise<TrialResult[]> {
  const queue = new Queue<TrialJob, TrialResult>(queueName, { connection: target.connection });
  const outstanding = new Map<string, Trial>();
  const running = new Set<string>();
  const results: TrialResult[] = [];
  try {
    for (const trial of trials) {
      const id = jobId(out, trial);
      const existing = await queue.getJob(id);
      // A trial that failed in an earlier invocation is tried again; one that is done is not.
      if (existing && (await existing.getState()) === 'failed') await existing.remove();
      await queue.add(
        'trial',
        { trial, out: path.resolve(out) },
        {
          jobId: id,
          attempts: policy.attempts,
          backoff: { type: 'exponential', delay: policy.backoff },
          removeOnComplete: false,
          removeOnFail: false,
        },
      );
      outstanding.set(id, trial);
    }
    while (outstanding.size > 0) {
      for (const [id, trial] of [...outstanding]) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        if (state === 'active' && !running.has(id)) {
          running.add(id);
          progress.start(trial, (job?.attemptsStarted ?? 1) || 1);
        }
        if (state !== 'completed' && state !== 'failed') continue;
        const result = state === 'completed' ? (job as Job).returnvalue : failedResult(trial, job);
        if (!running.has(id)) progress.start(trial, result.attempts);
        running.delete(id);
        outstanding.delete(id);
        recordResult(out, result);
        progress.finish(result, metric);
        results.push(result);
      }
      if (outstanding.size > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await queue.close();
  }
  return results;
}

function failedResult(trial: Trial, job: Job | undefined): TrialResult {
  return {
    id: trial.id,
    settings: trial.settings,
    status: 'failed',
    seconds: 0,
    attempts: job?.attemptsMade ?? 0,
    runDir: '',
    host: '',
    error: job?.failedReason ?? 'the job disappeared from the queue',
  };
}

export interface WorkerOptions {
  concurrency: number;
  /** Where run directories go when the sweep's folder is not shared (default: the sweep's). */
  out?: string;
  /** How long a trial stays claimed without a heartbeat (a dead worker's trial is retried after). */
  lockSeconds: number;
  /** Exit after the queue was empty this long (default: run until stopped). */
  idleExitSeconds?: number;
}

/**
 * The fleet mode, worker side: takes trials from the queue and runs each as `farzi train` in a
 * child process; the event loop stays free for the queue's heartbeats. A trial whose worker dies is
 * found stalled by another worker once its lock expires, and run again (resuming from its last
 * checkpoint when the sweep's folder is shared).
 */
export async function runWorker(
  target: RedisTarget,
  queueName: string,
  options: WorkerOptions,
  io: Io,
): Promise<void> {
  const worker = new Worker<TrialJob, TrialResult>(
    queueName,
    async (job) => {
      const out = options.out ?? job.data.out;
      const done = finishedResult(out, job.data.trial.id);
      if (done) return done;
      // Started attempts count the runs of workers that died too (a stalled job is started again).
      const attempt = Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1);
      io.err(`worker: ${job.data.trial.id} (attempt ${attempt}) in ${out}\n`);
      const result = await runTrial(job.data.trial, out, attempt);
      if (result.status === 'done') {
        recordResult(out, result);
        io.err(`worker: ${result.id} done in ${result.seconds.toFixed(1)} s\n`);
        return result;
      }
      io.err(`worker: ${result.id} failed: ${result.error}\n`);
      // A deterministic failure (bad input, diverging run) is not worth another attempt.
      throw retryable(result) ? new Error(result.error) : new UnrecoverableError(result.error);
    },
    {
      connection: { ...target.connection, maxRetriesPerRequest: null },
      concurrency: options.concurrency,
      lockDuration: options.lockSeconds * 1000,
      stalledInterval: Math.max(1000, (options.lockSeconds * 1000) / 2),
      // A trial whose worker died is taken up again this many times (its own failures count
      // against the sweep's attempts).
      maxStalledCount: 3,
    },
  );
  worker.on('error', (error) => io.err(`worker: ${(error as Error).message}\n`));
  io.err(
    `worker: taking trials from ${target.url} (queue ${queueName}, concurrency ${options.concurrency})\n`,
  );
  const monitor = new Queue(queueName, { connection: target.connection });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        if (timer) clearInterval(timer);
        void worker.close().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const idle = options.idleExitSeconds;
      if (idle === undefined) return;
      let idleSince = Date.now();
      timer = setInterval(() => {
        void Promise.all([monitor.count(), monitor.getActiveCount()]).then(([waiting, active]) => {
          if (waiting + active > 0) idleSince = Date.now();
          else if (Date.now() - idleSince > idle * 1000) stop();
        });
      }, 1000);
    });
  } finally {
    await monitor.close();
  }
}
