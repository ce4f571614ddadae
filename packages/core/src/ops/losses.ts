import * as tf from '@tensorflow/tfjs';
import { logSoftmax } from './safeOps';

/**
 * Next-token cross-entropy with hard targets `[B, L]` (0 = padding, ignored), averaged over the real
 * targets. Stable for large logits (log-softmax with the row max subtracted).
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const v = logits.shape[logits.rank - 1] as number;
  const flatTargets = tf.reshape(tf.cast(targets, 'int32'), [-1]);
  const logp = tf.reshape(logSoftmax(logits), [-1]);
  const n = flatTargets.shape[0];
  const positions = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), flatTargets);
  const picked = tf.gather(logp, positions);
  const mask = tf.cast(tf.notEqual(flatTargets, 0), 'float32');
  const count = tf.maximum(tf.sum(mask), 1);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), count) as tf.Scalar;
}

/**
 * Cross-entropy against soft targets `[B, L, V]` (distributions), weighted per position by `mask`
 * `[B, L]` and averaged over the mask's total weight.
 */
export function softCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  mask: tf.Tensor,
): tf.Scalar {
  const perPosition = tf.neg(tf.sum(tf.mul(targets, logSoftmax(logits)), -1));
  const count = tf.maximum(tf.sum(mask), 1e-8);
  return tf.div(tf.sum(tf.mul(perPosition, mask)), count) as tf.Scalar;
}
