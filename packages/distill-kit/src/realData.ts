import * as tf from '@tensorflow/tfjs-core';
import {
  DataSplit,
  Model,
  Params,
  Rng,
  RunError,
  scoreAllItems,
  sequenceBatches,
  UserError,
} from '@farzi/core';

/** A batch of real sequences for the outer (meta) loss. */
export interface RealBatch {
  readonly inputs: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  /**
   * A teacher's next-item distributions at the real (non-padding) positions, [N, |V|] in row-major
   * order of `targets` (see realPositions), and their weight λ in the outer loss:
   * (1 − λ)·CE(real next items) + λ·CE(teacher's distributions) (distill.outerTeacher).
   */
  readonly teacher?: { readonly probabilities: tf.Tensor2D; readonly weight: number };
  /**
   * A weight per real position [N] (same order as `teacher`'s rows), applied to both terms of the
   * outer loss, each a weighted mean over the real positions (distill.outerPopularityPower).
   */
  readonly weights?: tf.Tensor1D;
  /**
   * A teacher's hidden states at the real positions, [N, d] (rows as `teacher`'s), and their weight
   * β: the outer loss adds β·(mean squared distance between the model's hidden states there and
   * these) — feature alignment, as TD3 matches representations, not only next-item distributions.
   * Needs `Model.hiddenStates`.
   */
  readonly features?: { readonly hidden: tf.Tensor2D; readonly weight: number };
}

/**
 * The flat indices (into [B·L]) of the positions of `targets` [B, L] that hold a real next item
 * (not padding). Short histories leave most of a [B, L] batch padded: the teacher's term works on
 * these rows only, so its [N, |V|] tensors stay small on large catalogues.
 */
export function realPositions(targets: tf.Tensor2D): tf.Tensor1D {
  const flat = targets.dataSync();
  const rows: number[] = [];
  for (let i = 0; i < flat.length; i++) if (flat[i] !== 0) rows.push(i);
  return tf.tensor1d(rows, 'int32');
}

/**
 * A model's logits `[N, |V|]` at the flat positions `positions` of `inputs` `[B, L]` (dropout off).
 * For a model with `hiddenStates` and `outputLayer` only those rows are scored, so the cost follows
 * the real positions, not B·L (short histories leave most of a real batch padded); other models
 * score every position and keep those rows.
 */
export function logitsAt(
  model: Model,
  params: Params,
  inputs: tf.Tensor2D,
  positions: tf.Tensor1D,
): tf.Tensor2D {
  if (model.hiddenStates && model.outputLayer) {
    const hidden = model.hiddenStates(params, inputs, { training: false });
    const rows = tf.gather(tf.reshape(hidden, [-1, hidden.shape[2]]), positions) as tf.Tensor2D;
    return scoreAllItems(model.outputLayer(params), rows);
  }
  const logits = model.apply(params, inputs, { training: false });
  const v = logits.shape[logits.rank - 1] as number;
  return tf.gather(tf.reshape(logits, [-1, v]), positions) as tf.Tensor2D;
}

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

/** How often each item is a next item (a position after the first) in the real sequences. */
export function nextItemCounts(sequences: Int32Array[], vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (const sequence of sequences) {
    for (let i = 1; i < sequence.length; i++) counts[sequence[i]]++;
  }
  return counts;
}

/**
 * The outer loss's weight of each real (non-padding) position of `targets` [B, L], in row-major
 * order (realPositions' order): count(next item)^−power, normalised to mean 1 over the batch.
 */
export function popularityWeights(
  targets: tf.Tensor2D,
  counts: Float64Array,
  power: number,
): tf.Tensor1D {
  const weights: number[] = [];
  for (const item of targets.dataSync()) {
    if (item !== 0) weights.push(Math.pow(Math.max(counts[item], 1), -power));
  }
  const mean = weights.reduce((a, b) => a + b, 0) / Math.max(weights.length, 1);
  return tf.tensor1d(
    weights.map((w) => w / mean),
    'float32',
  );
}

/**
 * μ windows of ξ consecutive real items (row-major `[μ·ξ]`): the last ξ items of distinct random
 * users with at least ξ items (shorter sequences, repeated from their start, only when too few
 * users are that long).
 */
export function realWindows(
  sequences: readonly Int32Array[],
  mu: number,
  xi: number,
  rng: Rng,
): Int32Array {
  if (sequences.length === 0) throw new UserError('the training data has no sequences.');
  const long = sequences.filter((s) => s.length >= xi);
  const pool = long.length >= Math.min(mu, sequences.length) ? long : sequences;
  const order = rng.permutation(pool.length);
  const ids = new Int32Array(mu * xi);
  for (let i = 0; i < mu; i++) {
    const seq = pool[order[i % pool.length]];
    for (let t = 0; t < xi; t++) {
      ids[i * xi + t] = seq.length >= xi ? seq[seq.length - xi + t] : seq[t % seq.length];
    }
  }
  return ids;
}

/** Frees a real batch's tensors (its ids, and the teacher's and weights' rows when present). */
export function disposeRealBatch(real: RealBatch): void {
  tf.dispose([real.inputs, real.targets]);
  if (real.teacher) real.teacher.probabilities.dispose();
  if (real.features) real.features.hidden.dispose();
  if (real.weights) real.weights.dispose();
}
