import * as tf from '@tensorflow/tfjs-core';

/**
 * dy of a reduction of `x` over `axis`, broadcast back to x's shape. Upstream multiplies by
 * `tf.ones(x.shape)`, which fills a JavaScript array of x's size and uploads it on every backward
 * pass (a third of a Farzi reverse step on wasm went there); `onesLike(x)` is one backend fill. It
 * stays differentiable to any order (the second-order products differentiate through it).
 */
export function broadcastBack(
  dy: tf.Tensor,
  x: tf.Tensor,
  axis: number | number[] | undefined,
): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape)) shape[a] = 1;
  const ones = x.dtype === 'float32' ? tf.onesLike(x) : tf.ones(x.shape, 'float32');
  return tf.mul(tf.reshape(dy, shape), ones);
}
