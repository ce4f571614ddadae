import { fork } from 'child_process';
import * as path from 'path';
import type { Io } from '../Io';
import { SECRET_ENV } from './queueAuth';
import type { TrialFiles } from './sweepFile';

const cliEntry = path.join(__dirname, '..', '..', 'bin', 'farzi.js');

export interface LocalWorkerSettings {
  /** The queue's URL as given (credentials included): passed in the environment, never as an argument. */
  queueUrl: string;
  queueName: string;
  caFile?: string;
  secret: Buffer;
  /** The sweep folder: the local workers' own folder too. */
  out: string;
  dataDir?: string;
  /** The folders and plugins of the sweep's trials, which this coordinator validated. */
  files: TrialFiles;
}

/**
 * `farzi worker` processes on this machine for a queued sweep (`sweep --queue … --workers N`),
 * stopped (gracefully: the current trial finishes) when the sweep is over. They exit with this
 * process. The queue's URL and secret reach them through the environment, not their command line
 * (which every user of the machine can read).
 */
export function startLocalWorkers(
  n: number,
  io: Io,
  settings: LocalWorkerSettings,
): () => Promise<void> {
  const args = [
    'worker',
    '--queue-name',
    settings.queueName,
    '--out',
    settings.out,
    ...(settings.caFile ? ['--queue-ca-file', settings.caFile] : []),
    ...(settings.dataDir ? ['--data-dir', settings.dataDir] : []),
    ...[...settings.files.folders].flatMap((f) => ['--allow-read', f]),
    ...[...settings.files.plugins].flatMap((p) => ['--allow-plugin', p]),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FARZI_EXIT_WITH_PARENT: '1',
    FARZI_QUEUE: settings.queueUrl,
    [SECRET_ENV]: settings.secret.toString('utf8'),
  };
  delete env.FARZI_QUEUE_SECRET_FILE;
  const children = Array.from({ length: n }, () => {
    const child = fork(cliEntry, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
    child.stderr?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) io.err(`  ${line.trim()}\n`);
    });
    return child;
  });
  return async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            // A worker stuck on a Redis that is gone is killed after a grace period.
            const kill = setTimeout(() => child.kill('SIGKILL'), 90_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };
}
