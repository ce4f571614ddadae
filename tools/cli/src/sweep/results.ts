import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '@farzi/core';
import type { SweepSpec, Trial } from './sweepFile';
import type { TrialResult } from './trialRunner';

/** sweep.json: the sweep, the best trial by the validation metric, and every trial. */
export interface SweepSummary {
  sweep: string;
  base: string;
  metric: string;
  selection: string;
  keys: string[];
  trials: TrialResult[];
  best?: { id: string; settings: Record<string, unknown>; valid: number; test?: number };
  counts: { trials: number; done: number; failed: number };
}

/** Every swept key, in the order the sweep file gives them. */
export function sweptKeys(trials: readonly Trial[]): string[] {
  const keys: string[] = [];
  for (const t of trials)
    for (const k of Object.keys(t.settings)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

export function summarize(
  spec: SweepSpec,
  trials: readonly Trial[],
  results: ReadonlyMap<string, TrialResult>,
  metric: string,
): SweepSummary {
  const listed = trials
    .map((t) => results.get(t.id))
    .filter((r): r is TrialResult => r !== undefined);
  const done = listed.filter((r) => r.status === 'done' && r.valid?.[metric] !== undefined);
  // Lower is better for losses and perplexity, higher for ranking metrics.
  const lowerIsBetter = /perplexity|loss|cross-entropy/i.test(metric);
  const best = done.reduce<TrialResult | undefined>((b, r) => {
    if (!b) return r;
    const [x, y] = [r.valid?.[metric] as number, b.valid?.[metric] as number];
    return (lowerIsBetter ? x < y : x > y) ? r : b;
  }, undefined);
  return {
    sweep: spec.file,
    base: spec.base,
    metric,
    selection: `best validation ${metric}; its test value is reported, never used to choose`,
    keys: sweptKeys(trials),
    trials: listed,
    best: best && {
      id: best.id,
      settings: best.settings,
      valid: best.valid?.[metric] as number,
      test: best.test?.[metric],
    },
    counts: {
      trials: trials.length,
      done: listed.filter((r) => r.status === 'done').length,
      failed: listed.filter((r) => r.status === 'failed').length,
    },
  };
}

function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** sweep.csv: one row per trial — id, status, swept settings, every metric, time, error. */
export function sweepCsv(summary: SweepSummary): string {
  const metricNames = (part: 'valid' | 'test'): string[] => {
    const names: string[] = [];
    for (const t of summary.trials)
      for (const k of Object.keys(t[part] ?? {})) if (!names.includes(k)) names.push(k);
    return names;
  };
  const valid = metricNames('valid');
  const test = metricNames('test');
  const header = [
    'id',
    'status',
    ...summary.keys,
    ...valid.map((m) => `valid/${m}`),
    ...test.map((m) => `test/${m}`),
    'best_epoch',
    'train_seconds',
    'attempts',
    'host',
    'error',
  ];
  const rows = summary.trials.map((t) =>
    [
      t.id,
      t.status,
      ...summary.keys.map((k) => t.settings[k]),
      ...valid.map((m) => t.valid?.[m]),
      ...test.map((m) => t.test?.[m]),
      t.bestEpoch,
      t.trainSeconds,
      t.attempts,
      t.host,
      t.error,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}

export function writeSweepResults(out: string, summary: SweepSummary): void {
  writeJsonAtomic(path.join(out, 'sweep.json'), summary);
  writeFileAtomic(path.join(out, 'sweep.csv'), sweepCsv(summary));
}
