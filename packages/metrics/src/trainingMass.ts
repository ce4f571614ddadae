import * as tf from '@tensorflow/tfjs-core';
import { Rng, TrainingSource } from '@farzi/core';

/** Where a training source puts its targets: the share of its target mass in each item bucket. */
export interface TrainingMass {
  /** Target positions of one epoch (soft positions count 1 each, like hard ones). */
  readonly events: number;
  /** Share of the target mass per bucket, in the order of the bucket labels (sums to 1). */
  readonly shares: { readonly label: string; readonly share: number }[];
  /**
   * exp(entropy) of the target mass over items: how many items the targets are spread over as if
   * evenly (a one-hot target on one item: 1; all items alike: the catalogue size).
   */
  readonly effectiveItems: number;
}

/**
 * The target mass per item of one epoch of a source: for id batches, how often each item is a
 * target (padding excluded); for soft batches, the sum of the target distributions over the
 * positions, each weighted by its mask.
 */
export function targetMassPerItem(
  source: TrainingSource,
  vocabSize: number,
  batchSize = 256,
): { mass: Float64Array; events: number } {
  const mass = new Float64Array(vocabSize);
  let events = 0;
  for (const batch of source.batches(batchSize, new Rng(0))) {
    try {
      if (batch.kind === 'hard') {
        for (const t of batch.targets.dataSync() as Int32Array)
          if (t > 0) {
            mass[t]++;
            events++;
          }
      } else {
        const [summed, positions] = tf.tidy(() => [
          tf.sum(tf.mul(batch.targets, tf.expandDims(batch.mask, 2)), [0, 1]),
          tf.sum(batch.mask),
        ]);
        const values = summed.dataSync();
        for (let v = 0; v < vocabSize; v++) mass[v] += values[v];
        events += positions.dataSync()[0];
        tf.dispose([summed, positions]);
      }
    } finally {
      tf.dispose([batch.inputs, batch.targets, ...(batch.kind === 'soft' ? [batch.mask] : [])]);
    }
  }
  return { mass, events };
}

/** Shares of `mass` per bucket (`bucketOf[item]`, −1 = not counted) and its effective item count. */
export function massByBucket(
  mass: Float64Array,
  events: number,
  bucketOf: Int32Array,
  labels: readonly string[],
): TrainingMass {
  const sums = new Float64Array(labels.length);
  let total = 0;
  for (let v = 0; v < mass.length; v++) {
    if (bucketOf[v] < 0 || mass[v] <= 0) continue;
    sums[bucketOf[v]] += mass[v];
    total += mass[v];
  }
  let entropy = 0;
  for (let v = 0; v < mass.length; v++) {
    if (bucketOf[v] < 0 || mass[v] <= 0) continue;
    const p = mass[v] / total;
    entropy -= p * Math.log(p);
  }
  return {
    events,
    shares: labels.map((label, b) => ({ label, share: total > 0 ? sums[b] / total : 0 })),
    effectiveItems: total > 0 ? Math.exp(entropy) : 0,
  };
}
