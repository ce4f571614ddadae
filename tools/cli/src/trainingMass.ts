import { createSource, DataSplit, ExperimentConfig } from '@farzi/core';
import { massByBucket, targetMassPerItem, TrainingMass } from '@farzi/metrics';
import { appServices } from './plugins';

/**
 * Where a run's training data puts its targets across the item-popularity buckets: the source of
 * its `train.source` (real data, a sample, Farzi Data, …) rebuilt from its config, one epoch.
 * `source` replaces `train.source` (e.g. `{name: "real"}` for the real data the run was split from).
 */
export function trainingMassOf(
  config: ExperimentConfig,
  split: DataSplit,
  bucketOf: Int32Array,
  labels: readonly string[],
  source?: ExperimentConfig['train']['source'],
): TrainingMass {
  const resolved = source ? { ...config, train: { ...config.train, source } } : config;
  const training = createSource(resolved, split, appServices());
  try {
    const { mass, events } = targetMassPerItem(training, split.vocab.size);
    return massByBucket(mass, events, bucketOf, labels);
  } finally {
    training.dispose?.();
  }
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The Markdown table: buckets as rows, the real data and each run's training data as columns. */
export function trainingMassTable(
  real: TrainingMass,
  runs: readonly { label: string; training: TrainingMass }[],
): string {
  const header = ['bucket', 'real training data', ...runs.map((r) => `${r.label} training data`)];
  const columns = [real, ...runs.map((r) => r.training)];
  const rows = real.shares.map((s, b) => [
    s.label,
    ...columns.map((c) => percent(c.shares[b].share)),
  ]);
  rows.push(['effective items (exp entropy)', ...columns.map((c) => c.effectiveItems.toFixed(0))]);
  rows.push(['target positions', ...columns.map((c) => c.events.toFixed(0))]);
  return [
    '### Training targets by item popularity (share of each training source’s target mass)',
    '',
    'Soft targets (Farzi Data) count their probability mass; the buckets are the ones above (training popularity).',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
