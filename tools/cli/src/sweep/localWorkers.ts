import { fork } from 'child_process';
import * as path from 'path';
import type { Io } from '../Io';

const cliEntry = path.join(__dirname, '..', '..', 'bin', 'farzi.js');

/**
 * `farzi worker` processes on this machine for a queued sweep (`sweep --queue … --workers N`),
 * stopped (gracefully: the current trial finishes) when the sweep is over. They exit with this
 * process.
 */
export function startLocalWorkers(
  n: number,
  queueUrl: string,
  queueName: string | undefined,
  io: Io,
): () => Promise<void> {
  const children = Array.from({ length: n }, () => {
    const args = ['worker', '--queue', queueUrl, ...(queueName ? ['--queue-name', queueName] : [])];
    const child = fork(cliEntry, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, FARZI_EXIT_WITH_PARENT: '1' },
    });
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
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  };
}
