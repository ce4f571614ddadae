import * as fs from 'fs';
import * as path from 'path';
import { checkWritableDirectory, UserError } from '@farzi/core';
import type { Command, OptionSpec } from '../Command';
import { DEFAULT_QUEUE_NAME } from '../sweep/queue';
import { readQueueSecret } from '../sweep/queueAuth';
import { checkReachable, parseQueueUrl, RedisTarget } from '../sweep/queueTarget';
import { runWorker } from '../sweep/queueWorker';
import { workerPolicy } from '../sweep/workerPolicy';
import { positiveInteger } from './sweep';

/** The flags every command that talks to a queue takes. */
export const queueOptions: Record<string, OptionSpec> = {
  queue: {
    type: 'string',
    value: '<redis[s]://host:port>',
    description:
      'the Redis of the fleet (rediss:// for TLS; default $FARZI_QUEUE; a password is best given in $FARZI_REDIS_PASSWORD)',
  },
  'queue-name': {
    type: 'string',
    value: '<name>',
    description: `queue name (default ${DEFAULT_QUEUE_NAME})`,
  },
  'queue-secret-file': {
    type: 'string',
    value: '<file>',
    description:
      "the fleet's shared secret that signs jobs and results (default $FARZI_QUEUE_SECRET_FILE, or the secret itself in $FARZI_QUEUE_SECRET)",
  },
  'queue-ca-file': {
    type: 'string',
    value: '<pem>',
    description: "the CA certificate of a rediss:// server (default: the system's CAs)",
  },
};

/** The queue named by --queue or $FARZI_QUEUE, if any. */
export function queueTarget(values: Record<string, unknown>): RedisTarget | undefined {
  const url = (values.queue as string | undefined) ?? process.env.FARZI_QUEUE;
  if (url === undefined || url === '') return undefined;
  return parseQueueUrl(url, values['queue-ca-file'] as string | undefined);
}

/** A whole number of at least 1, or the default. */
function atLeastOne(values: Record<string, unknown>, key: string, fallback: number): number {
  const n = positiveInteger(values, key);
  if (n === 0) throw new UserError(`--${key} 0: expected a whole number >= 1.`);
  return n ?? fallback;
}

export const workerCommand: Command = {
  name: 'worker',
  summary:
    'take sweep trials from a Redis queue and train them (run on any machine; a dead worker’s trial is retried elsewhere)',
  options: {
    ...queueOptions,
    concurrency: {
      type: 'string',
      value: '<N>',
      description: 'trials this worker trains at once (default 1)',
    },
    out: {
      type: 'string',
      short: 'o',
      value: '<dir>',
      description:
        'the worker’s folder: every run directory is created under it (default runs/worker; give workers one shared folder to resume each other’s trials)',
    },
    'lock-seconds': {
      type: 'string',
      value: '<s>',
      description: 'a trial without a heartbeat this long is taken up again (default 30)',
    },
    'idle-exit': {
      type: 'string',
      value: '<s>',
      description: 'exit once the queue has been empty this long',
    },
    'allow-plugin': {
      type: 'string',
      multiple: true,
      value: '<package-or-path>',
      description: 'a plugin that trials may name (a plugin is code: none is loaded otherwise)',
    },
    'allow-read': {
      type: 'string',
      multiple: true,
      value: '<dir>',
      description: 'a folder trials may read files from, besides the data folders and --out',
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      description:
        'where data sets named by data.dataset are (before $FARZI_DATA_DIR and the cache)',
    },
  },
  examples: [
    'FARZI_QUEUE_SECRET_FILE=~/.farzi/queue.secret npx farzi worker --queue redis://10.0.0.5:6379 --out /shared/sweep',
    'npx farzi worker --queue rediss://redis.example.org:6380 --queue-ca-file ca.pem --queue-secret-file queue.secret --concurrency 2 --idle-exit 60',
  ],
  async run(values, io) {
    const target = queueTarget(values);
    if (!target) {
      throw new UserError('--queue is required (or $FARZI_QUEUE). See `farzi worker --help`.');
    }
    const secret = readQueueSecret(values['queue-secret-file'] as string | undefined);
    const concurrency = atLeastOne(values, 'concurrency', 1);
    const lockSeconds = atLeastOne(values, 'lock-seconds', 30);
    const out = path.resolve((values.out as string | undefined) ?? path.join('runs', 'worker'));
    checkWritableDirectory(out, '--out');
    fs.mkdirSync(out, { recursive: true });
    const policy = workerPolicy(
      out,
      (values['allow-plugin'] as string[] | undefined) ?? [],
      (values['allow-read'] as string[] | undefined) ?? [],
      values['data-dir'] as string | undefined,
    );
    await checkReachable(target);
    await runWorker(
      target,
      (values['queue-name'] as string | undefined) ?? DEFAULT_QUEUE_NAME,
      {
        concurrency,
        lockSeconds,
        idleExitSeconds: positiveInteger(values, 'idle-exit'),
        secret,
        policy,
      },
      io,
    );
    return 0;
  },
};
