import * as tf from '@tensorflow/tfjs';
import { DataSplit, Rng, RunError, sequenceBatches } from '@farzi/core';
import type { RealBatch } from './metaGradient';

/** Real training sequences of a split (token chunks for text). */
export function realSequences(split: DataSplit, maxLength: number): Int32Array[] {
  if (split.kind === 'leave-one-out') return split.train;
  const chunks: Int32Array[] = [];
  for (let start = 0; start + maxLength + 1 <= split.train.length; start += maxLength) {
    chunks.push(split.train.subarray(start, start + maxLength + 1));
  }
  return chunks;
}

/** A random batch of real sequences for one outer step. */
export function sampleRealBatch(
  sequences: Int32Array[],
  size: number,
  maxLength: number,
  rng: Rng,
): RealBatch {
  const picked = Array.from(
    rng.permutation(sequences.length).subarray(0, Math.min(size, sequences.length)),
    (i) => sequences[i],
  );
  const batch = sequenceBatches(picked, { maxLength, batchSize: picked.length }).next().value;
  if (!batch) throw new RunError('no real sequence is long enough for an outer step.');
  return {
    inputs: tf.tensor2d(batch.inputs, [batch.batchSize, batch.length], 'int32'),
    targets: tf.tensor2d(batch.targets, [batch.batchSize, batch.length], 'int32'),
  };
}

/** How often each item is a next item (a position after the first) in the real sequences. */
export function nextItemCounts(sequences: Int32Array[], vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (const sequence of sequences) {
    for (let i = 1; i < sequence.length; i++) counts[sequence[i]]++;
  }
  return counts;
}

/**
 * The outer loss's weight of each real (non-padding) position of `targets` [B, L], in row-major
 * order (realPositions' order): count(next item)^−power, normalised to mean 1 over the batch.
 */
export function popularityWeights(
  targets: tf.Tensor2D,
  counts: Float64Array,
  power: number,
): tf.Tensor1D {
  const weights: number[] = [];
  for (const item of targets.dataSync()) {
    if (item !== 0) weights.push(Math.pow(Math.max(counts[item], 1), -power));
  }
  const mean = weights.reduce((a, b) => a + b, 0) / Math.max(weights.length, 1);
  return tf.tensor1d(
    weights.map((w) => w / mean),
    'float32',
  );
}
