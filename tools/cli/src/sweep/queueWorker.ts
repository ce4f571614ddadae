import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { isFarziError } from '@farzi/core';
import type { Io } from '../Io';
import { retryable } from './localSweep';
import { closeWithin } from './queue';
import { signResult, SignedJob, SignedResult, verifyJob } from './queueAuth';
import { describeRedisError, RedisTarget } from './queueTarget';
import { finishedResult, recordResult, runTrial } from './trialRunner';
import { checkQueuedTrial, queueSafeError, WorkerPolicy } from './workerPolicy';

export interface WorkerOptions {
  concurrency: number;
  /** How long a trial stays claimed without a heartbeat (a dead worker's trial is retried after). */
  lockSeconds: number;
  /** Exit after the queue was empty this long (default: run until stopped). */
  idleExitSeconds?: number;
  secret: Buffer;
  policy: WorkerPolicy;
}

/**
 * The fleet mode, worker side: takes trials from the queue and runs each as `farzi train` in a
 * child process; the event loop stays free for the queue's heartbeats. A job runs only when it is
 * signed with the fleet's secret, its trial passes the worker's policy and validates as a config;
 * its run directory is created under the worker's own folder. A trial whose worker dies is found
 * stalled by another worker once its lock expires, and run again (resuming from its last checkpoint
 * when the worker folders are one shared folder).
 */
export async function runWorker(
  target: RedisTarget,
  queueName: string,
  options: WorkerOptions,
  io: Io,
): Promise<void> {
  const { secret, policy } = options;
  const out = policy.out;
  const worker = new Worker<SignedJob, SignedResult>(
    queueName,
    async (job) => {
      let trialId: string;
      try {
        const signed = verifyJob(secret, queueName, job.id, job.data);
        trialId = checkQueuedTrial(signed, policy).trial.id;
      } catch (error) {
        const message = isFarziError(error) ? error.message : String(error);
        io.err(
          `worker: job ${queueSafeError(String(job.id)).slice(0, 60)}: ${queueSafeError(message)}\n`,
        );
        throw new UnrecoverableError(queueSafeError(message));
      }
      const trial = job.data.trial;
      const done = finishedResult(out, trialId);
      if (done) return signResult(secret, queueName, job.id as string, done);
      // Started attempts count the runs of workers that died too (a stalled job is started again).
      const attempt = Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1);
      io.err(`worker: ${trialId} (attempt ${attempt}) in ${out}\n`);
      const result = await runTrial(trial, out, attempt, undefined, {
        releaseForeignLocks: true,
        dataDir: policy.dataDir,
      });
      if (result.status === 'done') {
        recordResult(out, result);
        io.err(`worker: ${result.id} done in ${result.seconds.toFixed(1)} s\n`);
        return signResult(secret, queueName, job.id as string, result);
      }
      io.err(`worker: ${result.id} failed: ${result.error}\n`);
      const reason = queueSafeError(result.error ?? 'failed');
      // A deterministic failure (bad input, diverging run) is not worth another attempt.
      throw retryable(result) ? new Error(reason) : new UnrecoverableError(reason);
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
  // Reconnecting after Redis went away raises an error per attempt: one line per kind of error.
  let lastError = '';
  let lastAt = 0;
  worker.on('error', (error) => {
    const line = describeRedisError(target, error);
    if (line !== lastError || Date.now() - lastAt > 60_000) io.err(`worker: ${line}\n`);
    lastError = line;
    lastAt = Date.now();
  });
  io.err(
    `worker: taking trials from ${target.url} (queue ${queueName}, concurrency ${options.concurrency}, folder ${out})\n`,
  );
  const monitor = new Queue(queueName, { connection: target.connection });
  monitor.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        if (timer) clearInterval(timer);
        // The current trial finishes, unless Redis is gone (it could not be reported; the
        // trial resumes from its checkpoint when it is taken up again).
        void redisAnswers(monitor)
          .then((up) => (up ? worker.close() : closeWithin(worker.close(true), 3000)))
          .catch(() => undefined)
          .then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const idle = options.idleExitSeconds;
      if (idle === undefined) return;
      let idleSince = Date.now();
      timer = setInterval(() => {
        void Promise.all([monitor.count(), monitor.getActiveCount()]).then(
          ([waiting, active]) => {
            if (waiting + active > 0) idleSince = Date.now();
            else if (Date.now() - idleSince > idle * 1000) stop();
          },
          () => undefined,
        );
      }, 1000);
    });
  } finally {
    await closeWithin(monitor.close(), 3000);
  }
}

/** True when Redis answers (a count of the queue) within two seconds. */
async function redisAnswers(queue: Queue): Promise<boolean> {
  const ping = queue.count().then(
    () => true,
    () => false,
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000)));
  const up = await Promise.race([ping, late]);
  clearTimeout(timer);
  return up;
}
