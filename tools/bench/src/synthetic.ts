import * as tf from '@tensorflow/tfjs-core';
import type { AdamHyper } from '@farzi/core';
import type { RealBatch } from '@farzi/distill-kit';

/** The distiller's default inner Adam (distill.innerLearningRate and distill.innerOptimizer). */
export const INNER_ADAM: AdamHyper = {
  learningRate: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  epsRoot: 1e-8,
  weightDecay: 0,
};

/**
 * A deterministic batch of `size` "real" id sequences of length L over items 1..V−1 (inputs and
 * next-item targets), for timing and memory benchmarks that need no data set. Returns the batch
 * and a function that frees it.
 */
export function syntheticRealBatch(
  size: number,
  L: number,
  V: number,
): RealBatch & { dispose(): void } {
  const ids = Int32Array.from({ length: size * (L + 1) }, (_, i) => 1 + ((i * 7919) % (V - 1)));
  const all = tf.tensor2d(ids, [size, L + 1], 'int32');
  const inputs = tf.slice(all, [0, 0], [size, L]) as tf.Tensor2D;
  const targets = tf.slice(all, [0, 1], [size, L]) as tf.Tensor2D;
  all.dispose();
  return { inputs, targets, dispose: () => tf.dispose([inputs, targets]) };
}
