import * as tf from '@tensorflow/tfjs-core';
import { backendHasKernels, fusedKernelNames } from '../backend/fusedKernels';
import { logSoftmax, softmax } from './safeOps';
import { softCrossEntropyRows } from './softCrossEntropy';

/**
 * The gradient kernel as an op: scale[n] · (softmax(logits)[n] − onehot(labels[n])). Its own
 * gradient (for Hessian-vector products) is composed from the second-order-safe softmax, so the
 * fused path differentiates to any order like the composed one.
 */
const fusedXentGrad = tf.customGrad(((
  logits: tf.Tensor,
  lse: tf.Tensor,
  labels: tf.Tensor,
  scale: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  save([logits, labels, scale]);
  return {
    value: tf.engine().runKernel(kernelNames().grad, { logits, lse, labels, scale }),
    gradFunc: (u: tf.Tensor, saved: tf.Tensor[]) => {
      const [z, t, s] = saved;
      const p = softmax(z);
      const pu = tf.sum(tf.mul(p, u), -1);
      const dz = tf.mul(tf.mul(p, tf.sub(u, tf.expandDims(pu, -1))), tf.expandDims(s, -1));
      const picked = tf.gather(tf.reshape(u, [-1]), rowOffsets(t, z.shape[1] as number));
      return [dz, tf.zeros(lse.shape), tf.zeros(t.shape), tf.sub(pu, picked)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  logits: tf.Tensor,
  lse: tf.Tensor,
  labels: tf.Tensor,
  scale: tf.Tensor,
) => tf.Tensor;

/** The fused loss as an op (forward kernel; gradient through the gradient kernel). */
const fusedXent = tf.customGrad(((logits: tf.Tensor, labels: tf.Tensor, save: tf.GradSaveFunc) => {
  const [loss, lse] = tf
    .engine()
    .runKernel(kernelNames().forward, { logits, labels }) as tf.Tensor[];
  save([logits, labels, lse]);
  return {
    value: loss,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [z, t, l] = saved;
      return [fusedXentGrad(z, l, t, dy), tf.zeros(t.shape)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  logits: tf.Tensor,
  labels: tf.Tensor,
) => tf.Tensor;

/** Flat offsets n·V + labels[n] of each row's label in a flattened [N, V] tensor. */
function rowOffsets(labels: tf.Tensor, v: number): tf.Tensor {
  const n = labels.shape[0] as number;
  return tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), labels);
}

function kernelNames(): { forward: string; grad: string } {
  const names = fusedKernelNames();
  if (!names) throw new Error('the fused cross-entropy kernels are not available');
  return { forward: names.softmaxXent, grad: names.softmaxXentGrad };
}

/** Whether the current backend registered the fused kernels (wasm-native does). */
export function fusedCrossEntropyAvailable(): boolean {
  const names = fusedKernelNames();
  return names !== undefined && backendHasKernels(names.softmaxXent, names.softmaxXentGrad);
}

/**
 * Per-row cross-entropy −log softmax(logits[n])[labels[n]] for logits [N, V] and int32 labels [N]
 * in [0, V). Uses the backend's fused kernel when it has one (one pass for the loss, one for the
 * gradient), else the composed log-softmax; both differentiate to second order.
 */
export function sparseSoftmaxCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  fused = fusedCrossEntropyAvailable(),
): tf.Tensor {
  if (fused) return fusedXent(logits, labels);
  const v = logits.shape[1] as number;
  return tf.neg(tf.gather(tf.reshape(logSoftmax(logits), [-1]), rowOffsets(labels, v)));
}

/**
 * Next-token cross-entropy with hard targets `[B, L]` (0 = padding, ignored), averaged over the real
 * targets. Stable for large logits (log-softmax with the row max subtracted).
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  const v = logits.shape[logits.rank - 1] as number;
  const flatTargets = tf.reshape(tf.cast(targets, 'int32'), [-1]);
  const perRow = sparseSoftmaxCrossEntropy(tf.reshape(logits, [-1, v]), flatTargets);
  const mask = tf.cast(tf.notEqual(flatTargets, 0), 'float32');
  const count = tf.maximum(tf.sum(mask), 1);
  return tf.div(tf.sum(tf.mul(perRow, mask)), count) as tf.Scalar;
}

/**
 * Cross-entropy against soft targets `[B, L, V]` (distributions), weighted per position by `mask`
 * `[B, L]` and averaged over the mask's total weight. `fused` chooses the backend's fused kernels
 * (default: when it has them; `softCrossEntropy.ts`) or the composed log-softmax.
 */
export function softCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  mask: tf.Tensor,
  fused?: boolean,
): tf.Scalar {
  const perPosition = softCrossEntropyRows(logits, targets, fused);
  const count = tf.maximum(tf.sum(mask), 1e-8);
  return tf.div(tf.sum(tf.mul(perPosition, mask)), count) as tf.Scalar;
}
