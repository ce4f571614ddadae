import type { ProgressEvent, ProgressListener } from '@farzi/core';
import type { Io } from './Io';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatMetrics(metrics: Record<string, number> | undefined, keep: string[] = []): string {
  if (!metrics) return '';
  const names = Object.keys(metrics).filter((k) => keep.length === 0 || keep.includes(k));
  return names.map((k) => `${k} ${metrics[k].toFixed(4)}`).join(', ');
}

/**
 * Renders progress events: a redrawn progress bar with ETA on a terminal, plain lines otherwise
 * (one per epoch, and step lines every `logEvery` steps).
 */
export function progressRenderer(
  io: Io,
  options: { epochs?: number; metricNames?: string[] } = {},
): ProgressListener {
  let epochs = options.epochs ?? 0;
  let barShown = false;
  const clearBar = () => {
    if (barShown) io.err('\r\x1b[2K');
    barShown = false;
  };
  /** A redrawn bar on a terminal; a plain line otherwise. */
  const progressLine = (line: string, step: number, total: number) => {
    if (!io.interactive) {
      io.err(`${line}\n`);
      return;
    }
    const width = 24;
    const done = Math.round((width * step) / Math.max(total, 1));
    io.err(
      `\r\x1b[2K${'█'.repeat(done)}${'░'.repeat(width - done)} ${line}`.slice(0, io.columns + 12),
    );
    barShown = true;
  };
  return (event: ProgressEvent) => {
    switch (event.type) {
      case 'start':
        epochs = event.epochs;
        clearBar();
        io.err(
          `[${event.label}] training on ${event.description}: ${count(epochs, 'epoch')}, ${count(event.totalSteps, 'step')}\n`,
        );
        break;
      case 'step': {
        const line =
          `[${event.label}] epoch ${event.epoch}/${epochs} step ${event.step}/${event.totalSteps} ` +
          `loss ${event.loss.toFixed(4)} ${Math.round(event.sequencesPerSecond)} seq/s ETA ${formatDuration(event.etaSeconds)}`;
        progressLine(line, event.step, event.totalSteps);
        break;
      }
      case 'epoch':
        clearBar();
        io.err(
          `[${event.label}] epoch ${event.epoch}/${epochs} loss ${event.loss.toFixed(4)} (${formatDuration(event.seconds)})` +
            (event.metrics ? ` valid ${formatMetrics(event.metrics, options.metricNames)}` : '') +
            '\n',
        );
        break;
      case 'outer': {
        const details = event.details
          ? ` ${Object.entries(event.details)
              .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
              .join(' ')}`
          : '';
        const line = `[${event.label}] step ${event.step}/${event.totalSteps} outer loss ${event.loss.toFixed(4)}${details} ETA ${formatDuration(event.etaSeconds)}`;
        progressLine(line, event.step, event.totalSteps);
        break;
      }
      case 'eval': {
        const line = `[${event.label}] evaluating ${event.part}: ${event.done}/${event.total} ETA ${formatDuration(event.etaSeconds)}`;
        // On a terminal a bar; piped, only the completed evaluation (no line per chunk).
        if (io.interactive) progressLine(line, event.done, event.total);
        else if (event.done === event.total) io.err(`${line}\n`);
        break;
      }
      case 'message':
        clearBar();
        io.err(`[${event.label}] ${event.text}\n`);
        break;
      case 'end':
        clearBar();
        io.err(`[${event.label}] done in ${formatDuration(event.seconds)}\n`);
        break;
    }
  };
}

export { formatMetrics };

/** "1 epoch", "3 epochs". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
