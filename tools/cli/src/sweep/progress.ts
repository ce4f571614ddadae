import type { Io } from '../Io';
import { formatDuration } from '../progress';
import { describeSettings, Trial } from './sweepFile';
import type { TrialResult } from './trialRunner';

/** One progress display for a sweep: trials done / running / failed and an ETA. */
export class SweepProgress {
  private done = 0;
  private failed = 0;
  private running = 0;
  private readonly seconds: number[] = [];
  private readonly started = Date.now();

  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly workers: number,
    skipped: number,
  ) {
    this.done = skipped;
    if (skipped > 0) io.err(`sweep: ${skipped} of ${total} trials already done, skipped\n`);
  }

  start(trial: Trial, attempt: number): void {
    this.running++;
    const again = attempt > 1 ? ` (attempt ${attempt})` : '';
    this.io.err(`sweep: start ${trial.id} ${describeSettings(trial.settings)}${again}\n`);
    this.show();
  }

  retry(trial: Trial, result: TrialResult, delayMs: number): void {
    this.running--;
    this.io.err(
      `sweep: ${trial.id} stopped (${result.error ?? 'no result'}); retrying in ${(delayMs / 1000).toFixed(1)} s\n`,
    );
  }

  finish(result: TrialResult, metric: string): void {
    this.running--;
    if (result.status === 'done') {
      this.done++;
      this.seconds.push(result.seconds);
      const value = result.valid?.[metric];
      const shown = value === undefined ? '' : ` valid ${metric} ${value.toFixed(4)}`;
      this.io.err(`sweep: done ${result.id} in ${formatDuration(result.seconds)}${shown}\n`);
    } else {
      this.failed++;
      this.io.err(`sweep: FAILED ${result.id}: ${result.error}\n`);
    }
    this.show();
  }

  private show(): void {
    const left = this.total - this.done - this.failed;
    const mean = this.seconds.length
      ? this.seconds.reduce((a, b) => a + b, 0) / this.seconds.length
      : undefined;
    const eta =
      mean === undefined
        ? ''
        : `, ETA ${formatDuration((mean * Math.max(0, left)) / this.workers)}`;
    const elapsed = formatDuration((Date.now() - this.started) / 1000);
    this.io.err(
      `sweep: ${this.done}/${this.total} done, ${this.running} running, ${this.failed} failed (${elapsed}${eta})\n`,
    );
  }
}
