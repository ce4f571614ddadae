import * as tf from '@tensorflow/tfjs-core';
import { leftPadded, Model, Params, scoreAllItems } from '@farzi/core';

export interface Recommendation {
  /** Vocabulary index of the item. */
  readonly index: number;
  readonly score: number;
}

/**
 * The model's top-`k` next items after `history` (vocabulary indices, time order), best first.
 * Padding is never recommended, nor (with `excludeHistory`, the default) an item of the history.
 * Uses the last position's hidden state when the model exposes its output layer.
 */
export function recommendNext(
  model: Model,
  params: Params,
  history: ArrayLike<number>,
  k: number,
  excludeHistory = true,
): Recommendation[] {
  const scores = tf.tidy(() => {
    const L = model.maxLength;
    const ids = tf.tensor2d(leftPadded(history, L), [1, L], 'int32');
    if (model.hiddenStates && model.outputLayer) {
      const states = model.hiddenStates(params, ids, { training: false });
      const d = states.shape[2];
      return scoreAllItems(
        model.outputLayer(params),
        tf.reshape(tf.slice(states, [0, L - 1, 0], [1, 1, d]), [1, d]) as tf.Tensor2D,
      );
    }
    const logits = model.apply(params, ids, { training: false });
    const v = logits.shape[2];
    return tf.reshape(tf.slice(logits, [0, L - 1, 0], [1, 1, v]), [1, v]);
  });
  const row = Float32Array.from(scores.dataSync());
  scores.dispose();
  row[0] = -Infinity;
  if (excludeHistory) for (let i = 0; i < history.length; i++) row[history[i]] = -Infinity;
  const order = Array.from(row.keys())
    .filter((i) => row[i] > -Infinity)
    .sort((a, b) => row[b] - row[a] || a - b);
  return order.slice(0, k).map((index) => ({ index, score: row[index] }));
}
