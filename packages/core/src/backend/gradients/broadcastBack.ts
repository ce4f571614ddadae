import * as tf from '@tensorflow/tfjs-core';

/**
 * dy of a reduction of `x` over `axis`, broadcast back to x's shape. Upstream multiplies by
 * `tf.ones(x.shape)`, which fills a JavaScript array of x's size and uploads it on every backward
 * pass (a third of a Farzi reverse step on wasm went there). A backend fill (`tf.fill`) instead,
 * and not `onesLike(x)`: that made the gradient depend on x on the tape, so a second-order pass
 * pushed zero cotangents back through every op that produced a reduced tensor (in the Farzi reverse
 * pass, the whole inner loss's gradient, recomputed for nothing each step). It stays differentiable
 * to any order.
 */
export function broadcastBack(
  dy: tf.Tensor,
  x: tf.Tensor,
  axis: number | number[] | undefined,
): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape)) shape[a] = 1;
  return tf.mul(tf.reshape(dy, shape), tf.fill(x.shape, 1, 'float32'));
}
