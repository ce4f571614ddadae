import type { ChildProcess } from 'child_process';
import type { Trial } from './sweepFile';
import type { SweepProgress } from './progress';
import { recordResult, runTrial, TrialResult } from './trialRunner';

export interface AttemptPolicy {
  attempts: number;
  /** First retry delay in ms, doubling. */
  backoff: number;
}

/**
 * A failure worth another attempt: the trial's process was killed or crashed. A run that ends with
 * an error of its own (exit 2: bad input; exit 1: e.g. a diverging loss) fails the same way again.
 */
export function retryable(result: TrialResult): boolean {
  return result.status === 'failed' && !/\(exit code [12]\)$/.test(result.error ?? '');
}

/** Runs a trial until it finishes or its attempts are used up, resuming from checkpoints. */
export async function runWithAttempts(
  trial: Trial,
  out: string,
  policy: AttemptPolicy,
  progress: SweepProgress,
  onChild?: (child: ChildProcess) => void,
): Promise<TrialResult> {
  for (let attempt = 1; ; attempt++) {
    progress.start(trial, attempt);
    const result = await runTrial(trial, out, attempt, onChild);
    if (!retryable(result) || attempt >= policy.attempts) return result;
    const delay = policy.backoff * 2 ** (attempt - 1);
    progress.retry(trial, result, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * The embedded mode: trials run in `workers` local processes at a time, each result recorded as it
 * arrives; a failed trial keeps its error and the others go on.
 */
export async function runLocalSweep(
  trials: Trial[],
  out: string,
  workers: number,
  policy: AttemptPolicy,
  progress: SweepProgress,
  metric: string,
): Promise<TrialResult[]> {
  const pending = [...trials];
  const results: TrialResult[] = [];
  const children = new Set<ChildProcess>();
  const stop = (): void => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const slot = async (): Promise<void> => {
    for (let trial = pending.shift(); trial; trial = pending.shift()) {
      const result = await runWithAttempts(trial, out, policy, progress, (child) => {
        children.add(child);
        child.on('exit', () => children.delete(child));
      });
      recordResult(out, result);
      progress.finish(result, metric);
      results.push(result);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, trials.length)) }, slot));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return results;
}
