import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { processAlive, readJsonFile, writeJsonAtomic } from '@farzi/core';
import type { Trial } from './sweepFile';

/** What a trial produced, as sweep.json lists it. */
export interface TrialResult {
  id: string;
  settings: Record<string, unknown>;
  status: 'done' | 'failed';
  /** Validation and test metrics (the run's metrics.json). */
  valid?: Record<string, number>;
  test?: Record<string, number>;
  bestEpoch?: number | null;
  trainSeconds?: number;
  /** Wall time of the attempt that finished it. */
  seconds: number;
  attempts: number;
  runDir: string;
  host: string;
  error?: string;
}

export interface TrialOptions {
  /**
   * A queue worker: a lock left in the run directory by another host's worker is from a worker that
   * died (the queue hands a trial to one worker at a time) and is released. A local sweep never
   * takes over another host's lock (docs/reliability.md).
   */
  releaseForeignLocks?: boolean;
  /** Where the trial's named data set is looked for first (the worker's --data-dir). */
  dataDir?: string;
}

/** The folders of a sweep: configs/<id>.json, trials/<id>/ (run directories), results/<id>.json. */
export function sweepPaths(out: string, id: string) {
  return {
    config: path.join(out, 'configs', `${id}.json`),
    runDir: path.join(out, 'trials', id),
    result: path.join(out, 'results', `${id}.json`),
  };
}

/** A trial already finished in this folder (by an earlier invocation or another worker). */
export function finishedResult(out: string, id: string): TrialResult | undefined {
  const file = sweepPaths(out, id).result;
  if (!fs.existsSync(file)) return undefined;
  const result = readJsonFile(file) as TrialResult;
  return result.status === 'done' ? result : undefined;
}

const cliEntry = path.join(__dirname, '..', '..', 'bin', 'farzi.js');

/**
 * Runs one trial as `farzi train --config <its config> --out <its run dir>` in a child process (the
 * same path as the command; a crash or leak stays in the child), resuming from the run's last
 * checkpoint when an earlier attempt left one. The child exits when this process dies.
 */
export async function runTrial(
  trial: Trial,
  out: string,
  attempt: number,
  onChild?: (child: ChildProcess) => void,
  options: TrialOptions = {},
): Promise<TrialResult> {
  const paths = sweepPaths(out, trial.id);
  fs.mkdirSync(path.dirname(paths.config), { recursive: true });
  fs.mkdirSync(path.dirname(paths.runDir), { recursive: true });
  writeJsonAtomic(paths.config, trial.config);
  if (options.releaseForeignLocks) {
    releaseForeignLock(paths.runDir);
    await lockReleased(paths.runDir, 30);
  }
  const resume = fs.existsSync(path.join(paths.runDir, 'checkpoints'));
  const args = ['train', '--config', paths.config, '--out', paths.runDir];
  if (resume) args.push('--resume');
  if (options.dataDir) args.push('--data-dir', options.dataDir);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = fork(cliEntry, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, FARZI_EXIT_WITH_PARENT: '1' },
    });
    onChild?.(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.stdout?.resume();
    child.on('exit', (code, signal) => {
      const base = {
        id: trial.id,
        settings: trial.settings,
        seconds: (Date.now() - started) / 1000,
        attempts: attempt,
        runDir: paths.runDir,
        host: os.hostname(),
      };
      if (code === 0) {
        const report = readJsonFile(path.join(paths.runDir, 'metrics.json')) as {
          valid?: { metrics: Record<string, number> };
          test?: { metrics: Record<string, number> };
          bestEpoch?: number | null;
          trainSeconds?: number;
        };
        resolve({
          ...base,
          status: 'done',
          valid: report.valid?.metrics,
          test: report.test?.metrics,
          bestEpoch: report.bestEpoch ?? null,
          trainSeconds: report.trainSeconds,
        });
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ ...base, status: 'failed', error: `${lastLines(stderr)} (${why})`.trim() });
    });
  });
}

/** The error a failed run printed, without progress lines. */
function lastLines(text: string): string {
  const lines = text
    .split(/[\r\n]+/)
    .map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim())
    .filter((l) => l.length > 0 && !l.startsWith('['));
  return lines.slice(-3).join(' ');
}

/**
 * A run directory locked by a process on another machine. The queue hands a trial to one worker at
 * a time, so a lock left by another host's worker is from a worker that died; it is released so
 * that this attempt can resume the run. (Locks of this host are checked by the run itself.)
 */
function releaseForeignLock(runDir: string): void {
  const file = path.join(runDir, '.lock');
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as { host?: string };
    if (owner.host && owner.host !== os.hostname()) fs.rmSync(file, { force: true });
  } catch {
    // no lock, or a damaged one (the run treats that as stale)
  }
}

/**
 * Waits (up to `seconds`) while the run directory is locked by a live process of this host: the
 * training of a worker that was just killed, still on its way out when the trial is taken up again.
 */
async function lockReleased(runDir: string, seconds: number): Promise<void> {
  const file = path.join(runDir, '.lock');
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    let owner: { host?: string; pid?: number };
    try {
      owner = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof owner;
    } catch {
      return; // no lock, or a damaged one (the run treats that as stale)
    }
    if (owner.host !== os.hostname() || typeof owner.pid !== 'number') return;
    if (!processAlive(owner.pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Records a trial's result in the sweep folder (atomically; the last word on that trial). */
export function recordResult(out: string, result: TrialResult): void {
  const file = sweepPaths(out, result.id).result;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeJsonAtomic(file, result);
}
