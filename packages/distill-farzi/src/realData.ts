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
