import { createHash } from 'crypto';
import * as path from 'path';
import { Job, Queue } from 'bullmq';
import { printable, RunError } from '@farzi/core';
import type { Io } from '../Io';
import type { AttemptPolicy } from './localSweep';
import type { SweepProgress } from './progress';
import { signJob, SignedJob, SignedResult, verifyResult } from './queueAuth';
import { describeRedisError, RedisTarget } from './queueTarget';
import type { Trial } from './sweepFile';
import { recordResult, TrialResult } from './trialRunner';

/** The queue every sweep and worker of one Redis uses (`--queue-name` to keep fleets apart). */
export const DEFAULT_QUEUE_NAME = 'farzi-sweep';

/** The job id of a trial of a sweep folder: re-adding it is a no-op, so re-runs are idempotent. */
export function jobId(out: string, trial: Trial): string {
  return `${createHash('sha256').update(path.resolve(out)).digest('hex').slice(0, 10)}-${trial.id}`;
}

export interface QueuedSweepOptions {
  target: RedisTarget;
  queueName: string;
  secret: Buffer;
  policy: AttemptPolicy;
  progress: SweepProgress;
  metric: string;
  io: Io;
  /** How long Redis may be away before the sweep gives up (default 120 s). */
  redisWaitSeconds?: number;
}

/**
 * The fleet mode, coordinator side: every trial not yet done becomes a signed job; the results come
 * back through the queue, are checked (signed by a worker holding the secret, for this trial,
 * finite numbers) and recorded in `out`, whatever machine ran them. Jobs that Redis lost (a restart
 * without persistence) are queued again; when Redis stays away longer than `redisWaitSeconds` the
 * sweep stops with what finished — the caller writes the summary either way.
 */
export async function runQueuedSweep(
  trials: Trial[],
  out: string,
  options: QueuedSweepOptions,
): Promise<TrialResult[]> {
  const { target, queueName, secret, policy, progress, metric, io } = options;
  let closing = false;
  const queue = new Queue<SignedJob, SignedResult>(queueName, {
    connection: {
      ...target.connection,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 5000,
      // Reconnects while the sweep waits for Redis; not once it is closing.
      retryStrategy: (times: number) => (closing ? null : Math.min(250 * times, 2000)),
    },
  });
  const outage = new Outage(io, target, options.redisWaitSeconds ?? 120);
  queue.on('error', (error) => outage.down(error));
  const outstanding = new Map<string, Trial>();
  const running = new Set<string>();
  const unreadable = new Map<string, number>();
  const results: TrialResult[] = [];
  const sweep = path.resolve(out);
  const enqueue = async (id: string, trial: Trial): Promise<void> => {
    await queue.add('trial', signJob(secret, queueName, id, trial, sweep), {
      jobId: id,
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoff },
      removeOnComplete: false,
      removeOnFail: false,
    });
  };
  const finish = (id: string, trial: Trial, result: TrialResult): void => {
    if (!running.has(id)) progress.start(trial, result.attempts);
    running.delete(id);
    outstanding.delete(id);
    recordResult(out, result);
    progress.finish(result, metric);
    results.push(result);
  };
  try {
    for (const trial of trials) outstanding.set(jobId(out, trial), trial);
    let queued = false;
    while (outstanding.size > 0) {
      try {
        if (!queued) {
          for (const [id, trial] of outstanding) {
            const existing = await queue.getJob(id);
            // A trial that failed in an earlier invocation is tried again; one that is done is not.
            if (existing && (await existing.getState()) === 'failed') await existing.remove();
            await enqueue(id, trial);
          }
          queued = true;
        }
        let lost = 0;
        for (const [id, trial] of [...outstanding]) {
          const job = await queue.getJob(id);
          if (!job) {
            // Redis lost it (restarted without persistence, or someone deleted it): queue it again.
            await enqueue(id, trial);
            lost++;
            continue;
          }
          const state = await job.getState();
          if (state === 'active' && !running.has(id)) {
            running.add(id);
            progress.start(trial, (job.attemptsStarted ?? 1) || 1);
          }
          if (state === 'failed') finish(id, trial, failedResult(trial, job));
          if (state !== 'completed') continue;
          let result: TrialResult;
          try {
            result = verifyResult(secret, queueName, id, trial, job.returnvalue);
          } catch (error) {
            // A result can be read in the instant before it is stored whole; a few reads decide.
            const seen = (unreadable.get(id) ?? 0) + 1;
            unreadable.set(id, seen);
            if (seen < 4) continue;
            result = {
              ...failedResult(trial, job),
              error: `result refused: ${(error as Error).message}`,
            };
          }
          finish(id, trial, result);
        }
        if (lost > 0) io.err(`sweep: Redis had lost ${lost} queued trial(s); queued them again\n`);
        outage.up();
      } catch (error) {
        outage.down(error);
        outage.check();
      }
      if (outstanding.size > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    io.err(`sweep: ${error.message}\n`);
    return [...results, ...[...outstanding.values()].map((t) => unfinished(t, error.message))];
  } finally {
    closing = true;
    await closeWithin(queue.close(), 3000);
  }
  return results;
}

/** One line when Redis goes away, one when it is back; an error once it stayed away too long. */
class Outage {
  private since?: number;

  constructor(
    private readonly io: Io,
    private readonly target: RedisTarget,
    private readonly waitSeconds: number,
  ) {}

  down(error: unknown): void {
    if (this.since === undefined) {
      this.since = Date.now();
      this.io.err(
        `sweep: lost Redis (${describeRedisError(this.target, error)}); waiting up to ${this.waitSeconds} s for it\n`,
      );
    }
  }

  /** Throws once Redis has been away longer than the wait. */
  check(): void {
    if (this.since !== undefined && Date.now() - this.since > this.waitSeconds * 1000) {
      throw new RunError(
        `Redis at ${this.target.url} did not come back within ${this.waitSeconds} s; the trials that finished are recorded, run the sweep again to finish the rest.`,
      );
    }
  }

  up(): void {
    if (this.since === undefined) return;
    this.io.err(`sweep: Redis is back after ${((Date.now() - this.since) / 1000).toFixed(0)} s\n`);
    this.since = undefined;
  }
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
    error: printable(job?.failedReason ?? 'the job disappeared from the queue', 1000),
  };
}

function unfinished(trial: Trial, why: string): TrialResult {
  return {
    id: trial.id,
    settings: trial.settings,
    status: 'failed',
    seconds: 0,
    attempts: 0,
    runDir: '',
    host: '',
    error: why,
  };
}

/** Waits for a BullMQ close at most `ms` (it waits for Redis, which may be gone). */
export async function closeWithin(closing: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closing.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
