import type { Command } from '../Command';
import { DEFAULT_QUEUE_NAME, checkReachable, parseQueueUrl, runWorker } from '../sweep/queue';
import { requireString } from '../args';
import { positiveInteger } from './sweep';

export const workerCommand: Command = {
  name: 'worker',
  summary:
    'take sweep trials from a Redis queue and train them (run on any machine; a dead worker’s trial is retried elsewhere)',
  options: {
    queue: {
      type: 'string',
      value: '<redis://host:port>',
      description: 'the queue `farzi sweep --queue` fills',
    },
    'queue-name': {
      type: 'string',
      value: '<name>',
      description: `queue name (default ${DEFAULT_QUEUE_NAME})`,
    },
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
        "where run directories go when the sweep's folder is not shared (default: the sweep's folder)",
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
  },
  examples: [
    'npx farzi worker --queue redis://10.0.0.5:6379',
    'npx farzi worker --queue redis://10.0.0.5:6379 --concurrency 2 --idle-exit 60',
  ],
  async run(values, io) {
    const target = parseQueueUrl(requireString(values, 'queue', this));
    const concurrency = Math.max(1, positiveInteger(values, 'concurrency') ?? 1);
    const lockSeconds = Math.max(1, positiveInteger(values, 'lock-seconds') ?? 30);
    await checkReachable(target);
    await runWorker(
      target,
      (values['queue-name'] as string | undefined) ?? DEFAULT_QUEUE_NAME,
      {
        concurrency,
        out: values.out as string | undefined,
        lockSeconds,
        idleExitSeconds: positiveInteger(values, 'idle-exit'),
      },
      io,
    );
    return 0;
  },
};
