import { encodeEventFile, RunDirectory, ScalarEvent } from '@farzi/core';

// A distillation's history as a training run's is: metrics.csv (one row per logged step, sorted
// columns) and a TensorBoard event file, so the same tools read both (TensorBoard, pandas).

/** Where a distillation's TensorBoard scalars go (`tensorboard --logdir <run>/tensorboard`). */
export const DISTILL_TENSORBOARD_FILE = 'tensorboard/events.out.tfevents.0.farzi-distill';

type Entry = Record<string, unknown> & { step?: unknown };

/** Numeric fields of a history entry, named as columns: `outer_loss`, `val_NDCG@10`, `gradNorm`. */
function fields(entry: Entry): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'step') continue;
    if (key === 'valid' && value && typeof value === 'object') {
      for (const [m, v] of Object.entries(value))
        if (typeof v === 'number' && Number.isFinite(v)) out[`val_${m}`] = v;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      out[key === 'outerLoss' ? 'outer_loss' : key] = value;
    }
  }
  return out;
}

/** `metrics.csv` of a distillation: `step` (outer step), then every logged value's column, sorted. */
export function distillMetricsCsv(history: readonly unknown[]): string {
  const rows = (history as Entry[])
    .filter((e) => typeof e.step === 'number')
    .map((e) => ({ step: e.step as number, ...fields(e) }))
    .filter((r) => Object.keys(r).length > 1);
  const keys = [
    'step',
    ...[...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => k !== 'step').sort(),
  ];
  const cell = (v: number | undefined) => (v === undefined ? '' : String(v));
  return `${[keys.join(','), ...rows.map((r) => keys.map((k) => cell((r as Record<string, number>)[k])).join(','))].join('\n')}\n`;
}

/** The history as TensorBoard scalars: `distill/<field>` and `valid/<metric>` at each outer step. */
export function distillEvents(history: readonly unknown[], wallTime: number): Uint8Array {
  const scalars: ScalarEvent[] = [];
  for (const e of history as Entry[]) {
    if (typeof e.step !== 'number') continue;
    for (const [key, value] of Object.entries(fields(e)))
      scalars.push({
        tag: key.startsWith('val_') ? `valid/${key.slice(4)}` : `distill/${key}`,
        value,
        step: e.step,
        wallTime,
      });
  }
  return encodeEventFile(scalars, wallTime);
}

/** Writes both into the run directory (atomically; rewritten whole each time). */
export function writeDistillMetrics(run: RunDirectory, history: readonly unknown[]): void {
  run.writeFile('metrics.csv', distillMetricsCsv(history));
  run.writeBytes(DISTILL_TENSORBOARD_FILE, distillEvents(history, Date.now() / 1000));
}
