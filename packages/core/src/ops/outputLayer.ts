import * as tf from '@tensorflow/tfjs-core';

/**
 * A model's output layer when its logits are `states · W (+ b)`: `weights` holds one row per item
 * (`itemAxis` 0, `[V, d]`, e.g. a tied item embedding) or one column per item (`itemAxis` 1,
 * `[d, V]`). Knowing it, the trainer computes logits only where a target exists, the evaluator
 * only at the ranked position, and a sampled softmax only for the sampled items.
 */
export interface OutputLayer {
  readonly weights: tf.Tensor2D;
  readonly itemAxis: 0 | 1;
  readonly bias?: tf.Tensor1D;
}

/** Logits of `states` `[N, d]` against every item: `[N, V]`. */
export function scoreAllItems(layer: OutputLayer, states: tf.Tensor2D): tf.Tensor2D {
  const logits = tf.matMul(states, layer.weights, false, layer.itemAxis === 0);
  return (layer.bias ? tf.add(logits, layer.bias) : logits) as tf.Tensor2D;
}

/** Logits of `states` `[N, d]` against the items `items` `[K]` (shared by all rows): `[N, K]`. */
export function scoreItems(
  layer: OutputLayer,
  states: tf.Tensor2D,
  items: tf.Tensor1D,
): tf.Tensor2D {
  const w = tf.gather(layer.weights, items, layer.itemAxis);
  const logits = tf.matMul(states, w, false, layer.itemAxis === 0);
  return (layer.bias ? tf.add(logits, tf.gather(layer.bias, items)) : logits) as tf.Tensor2D;
}

/** The logit of row n of `states` `[N, d]` for its own item `items[n]`: `[N]`. */
export function scoreOwnItems(
  layer: OutputLayer,
  states: tf.Tensor2D,
  items: tf.Tensor1D,
): tf.Tensor1D {
  const w = tf.gather(layer.weights, items, layer.itemAxis); // [N, d] or [d, N]
  const rows = layer.itemAxis === 0 ? w : tf.transpose(w);
  const dots = tf.sum(tf.mul(states, rows), -1);
  return (layer.bias ? tf.add(dots, tf.gather(layer.bias, items)) : dots) as tf.Tensor1D;
}
