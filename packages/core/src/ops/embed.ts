import * as tf from '@tensorflow/tfjs-core';

/**
 * Embeds model input: ids `[B, L]` by row lookup, or soft tokens `[B, L, V]` as `row · E`, so a
 * one-hot row gives exactly the embedding of its id. Returns `[B, L, d]`.
 */
export function embedTokens(table: tf.Tensor, input: tf.Tensor): tf.Tensor3D {
  if (input.rank === 2) {
    return tf.gather(table, tf.cast(input, 'int32')) as tf.Tensor3D;
  }
  if (input.rank === 3) {
    const [b, l, v] = input.shape;
    if (v !== table.shape[0]) {
      throw new Error(
        `soft input has ${v} token probabilities per position; the embedding table has ${table.shape[0]} rows`,
      );
    }
    return tf.reshape(tf.matMul(tf.reshape(input, [b * l, v]), table), [
      b,
      l,
      table.shape[1] as number,
    ]);
  }
  throw new Error(
    `model input must be ids [batch, length] or soft tokens [batch, length, vocab]; got rank ${input.rank}`,
  );
}

/** `[B, L]` float mask of real (non-padding) positions: 1 where the input is a token, 0 for padding. */
export function paddingMask(input: tf.Tensor): tf.Tensor2D {
  if (input.rank === 2) return tf.cast(tf.notEqual(input, 0), 'float32') as tf.Tensor2D;
  // Soft tokens: padding is all probability mass on index 0. Read as a product with the one-hot
  // column e₀ (a strided one-column slice, and the pad its gradient needs, are slow copies of the
  // whole [B·L, V] tensor on wasm; the product is one BLAS call each way and exact).
  const [b, l, v] = input.shape;
  const e0 = new Float32Array(v);
  e0[0] = 1;
  const padMass = tf.matMul(tf.reshape(input, [b * l, v]), tf.tensor2d(e0, [v, 1]));
  return tf.sub(1, tf.reshape(padMass, [b, l])) as tf.Tensor2D;
}

/** Logits against the (tied) embedding table: `[B, L, d] · Eᵀ → [B, L, V]`. */
export function tiedLogits(hidden: tf.Tensor, table: tf.Tensor): tf.Tensor3D {
  const [b, l, d] = hidden.shape;
  return tf.reshape(tf.matMul(tf.reshape(hidden, [b * l, d]), table, false, true), [
    b,
    l,
    table.shape[0] as number,
  ]);
}
