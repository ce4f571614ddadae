import * as tf from '@tensorflow/tfjs-core';
import type { ApplyOptions, Model, Params } from '../model/Model';
import { crossEntropy, sparseSoftmaxCrossEntropy } from '../ops/losses';
import { scoreAllItems, scoreItems, scoreOwnItems } from '../ops/outputLayer';
import { Rng } from '../random/Rng';

/**
 * Draws the negatives of a sampled softmax: `count` items (with replacement) from a proposal
 * distribution q over items 1..V−1, and `log(count · q(item))`, the correction that makes the
 * sampled partition function an unbiased estimate of the full one.
 */
export class NegativeProposal {
  private readonly cumulative: Float64Array;
  private readonly logQ: Float64Array;

  /** `weights[i]` ∝ q(i); index 0 (padding) is never drawn. */
  constructor(
    weights: ArrayLike<number>,
    readonly count: number,
    readonly description: string,
  ) {
    const v = weights.length;
    this.cumulative = new Float64Array(v);
    let total = 0;
    for (let i = 1; i < v; i++) total += Math.max(0, weights[i]);
    this.logQ = new Float64Array(v);
    let acc = 0;
    for (let i = 1; i < v; i++) {
      const q = Math.max(0, weights[i]) / total;
      acc += q;
      this.cumulative[i] = acc;
      this.logQ[i] = Math.log(q);
    }
  }

  /** Uniform over the items. */
  static uniform(vocabSize: number, count: number): NegativeProposal {
    const w = new Float64Array(vocabSize).fill(1);
    return new NegativeProposal(w, count, `${count} uniform negatives`);
  }

  /** In proportion to how often each item is a training target (plus one, so every item can be drawn). */
  static popularity(
    sequences: readonly ArrayLike<number>[],
    vocabSize: number,
    count: number,
  ): NegativeProposal {
    const w = new Float64Array(vocabSize).fill(1);
    for (const s of sequences) for (let i = 1; i < s.length; i++) w[s[i]]++;
    return new NegativeProposal(
      w,
      count,
      `${count} popularity-sampled negatives (log q corrected)`,
    );
  }

  sample(rng: Rng): { items: Int32Array; logCountQ: Float32Array } {
    const items = new Int32Array(this.count);
    const logCountQ = new Float32Array(this.count);
    const logCount = Math.log(this.count);
    for (let k = 0; k < this.count; k++) {
      const item = rng.pickCumulative(this.cumulative, 1);
      items[k] = item;
      logCountQ[k] = logCount + this.logQ[item];
    }
    return { items, logCountQ };
  }
}

/**
 * Next-item loss on id batches, averaged over the positions that have a target (0 = none). For a
 * model with `hiddenStates` and `outputLayer`, the logits are computed only at those positions —
 * the full softmax over all items, or, given a `proposal`, a sampled softmax over the target and
 * the proposal's negatives (accidental hits removed) — so the cost follows the number of real
 * targets, not batch × length; the full-softmax value and gradients equal the dense path's. Other
 * models take the dense path.
 */
export function nextItemLoss(
  model: Model,
  params: Params,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  options: ApplyOptions,
  proposal?: NegativeProposal,
): tf.Scalar {
  if (!model.hiddenStates || !model.outputLayer) {
    return crossEntropy(model.apply(params, inputs, options), targets);
  }
  const flat = targets.dataSync();
  let n = 0;
  for (let i = 0; i < flat.length; i++) if (flat[i] !== 0) n++;
  const rows = new Int32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0, j = 0; i < flat.length; i++) {
    if (flat[i] !== 0) {
      rows[j] = i;
      labels[j++] = flat[i];
    }
  }
  const states = model.hiddenStates(params, inputs, options);
  const [b, l, d] = states.shape;
  if (n === 0) return tf.mul(tf.sum(states), 0) as tf.Scalar;
  const picked = tf.gather(
    tf.reshape(states, [b * l, d]),
    tf.tensor1d(rows, 'int32'),
  ) as tf.Tensor2D;
  const layer = model.outputLayer(params);
  const labelTensor = tf.tensor1d(labels, 'int32');
  if (!proposal) {
    return tf.mean(
      sparseSoftmaxCrossEntropy(scoreAllItems(layer, picked), labelTensor),
    ) as tf.Scalar;
  }
  const { items, logCountQ } = proposal.sample(new Rng((options.seed ?? 0) ^ 0x2e9a7));
  const k = items.length;
  // Accidental hits (a negative equal to the row's target) are removed from that row.
  const hits = new Float32Array(n * k);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < k; c++) if (items[c] === labels[r]) hits[r * k + c] = -1e30;
  const negative = tf.add(
    tf.sub(scoreItems(layer, picked, tf.tensor1d(items, 'int32')), tf.tensor1d(logCountQ)),
    tf.tensor2d(hits, [n, k]),
  );
  const positive = tf.expandDims(scoreOwnItems(layer, picked, labelTensor), 1);
  const logits = tf.concat([positive, negative], 1) as tf.Tensor2D;
  return tf.mean(sparseSoftmaxCrossEntropy(logits, tf.zeros([n], 'int32'))) as tf.Scalar;
}
