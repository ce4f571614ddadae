import * as tf from '@tensorflow/tfjs-core';
import {
  EvalSet,
  leftPadded,
  LeaveOneOutSplit,
  Model,
  Params,
  Rng,
  scoreAllItems,
  UserError,
} from '@farzi/core';

export interface RankOptions {
  readonly protocol: 'full' | 'sampled';
  /** Full protocol: exclude the items of the user's history from the candidates. */
  readonly maskHistory: boolean;
  /** Sampled protocol: negatives per example and how they are drawn. */
  readonly negatives: number;
  readonly negativeSampling: 'uniform' | 'popularity';
  readonly batchSize: number;
  /** How many top items to keep per example (for coverage); 0 = none. */
  readonly topK: number;
  readonly seed: number;
  /** Called after each chunk of users with how many are done. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Upper bound of users × items scored at once (default `MAX_SCORES_PER_CHUNK`). */
  readonly maxScoresPerChunk?: number;
}

export interface RankResult {
  readonly ranks: Float32Array;
  readonly candidates: Float32Array;
  /** Top items per example (when topK > 0). */
  readonly top: Int32Array[];
}

/**
 * Scores of every item after the history, `[B, V]`: for a model that exposes its output layer, only
 * the last position's hidden state is scored (`[B, d] · W`); otherwise the last row of `apply`'s
 * logits.
 */
function lastPositionScores(
  model: Model,
  params: Params,
  histories: Int32Array[],
  maxLength: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const input = new Int32Array(histories.length * maxLength);
    histories.forEach((h, i) => input.set(leftPadded(h, maxLength), i * maxLength));
    const ids = tf.tensor2d(input, [histories.length, maxLength], 'int32');
    if (model.hiddenStates && model.outputLayer) {
      const states = model.hiddenStates(params, ids, { training: false });
      const [b, l, d] = states.shape;
      const last = tf.reshape(tf.slice(states, [0, l - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D;
      return scoreAllItems(model.outputLayer(params), last);
    }
    const logits = model.apply(params, ids, { training: false });
    const [b, l, v] = logits.shape;
    return tf.reshape(tf.slice(logits, [0, l - 1, 0], [b, 1, v]), [b, v]) as tf.Tensor2D;
  });
}

/** Most scores held at once while ranking (users × items), bounding memory on any catalogue. */
export const MAX_SCORES_PER_CHUNK = 1 << 22;

/** Users ranked together: `batchSize`, lowered so that a chunk holds at most `maxScores` scores. */
export function rankChunkSize(
  batchSize: number,
  vocabSize: number,
  maxScores = MAX_SCORES_PER_CHUNK,
): number {
  return Math.max(1, Math.min(batchSize, Math.floor(maxScores / vocabSize)));
}

/**
 * Ranks every example's target with the model, in batches on tensors. Ties are pessimistic: the
 * target ranks after every candidate scoring at least as high. Padding (item 0) is never a candidate.
 */
export function computeRanks(
  model: Model,
  params: Params,
  split: LeaveOneOutSplit,
  set: EvalSet,
  options: RankOptions,
): RankResult {
  const n = set.targets.length;
  const V = split.vocab.size;
  const ranks = new Float32Array(n);
  const candidates = new Float32Array(n);
  const top: Int32Array[] = [];
  const rng = new Rng(options.seed);
  const sampler =
    options.protocol === 'sampled' ? negativeSampler(split, options.negativeSampling) : undefined;

  const chunk = rankChunkSize(options.batchSize, V, options.maxScoresPerChunk);
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const histories = set.histories.slice(start, end);
    const targets = set.targets.subarray(start, end);
    const b = end - start;
    if (options.protocol === 'full') {
      // Scores come to the host once; masking, ranking and the top k are linear passes there
      // (the tensor versions — a [B, V] mask, where, greaterEqual — cost 10× more on wasm).
      const scoreTensor = lastPositionScores(model, params, histories, model.maxLength);
      const scores = (scoreTensor.dataSync() as Float32Array).slice();
      scoreTensor.dispose();
      for (let i = 0; i < b; i++) {
        const row = scores.subarray(i * V, (i + 1) * V);
        const targetScore = row[targets[i]];
        row[0] = -Infinity; // padding is never a candidate
        if (options.maskHistory) for (const item of histories[i]) row[item] = -Infinity;
        row[targets[i]] = targetScore; // the target is a candidate even if seen before
        ranks[start + i] = pessimisticRank(row, targetScore);
        if (options.topK > 0) top.push(topIndices(row, Math.min(options.topK, V)));
      }
      for (let i = 0; i < b; i++) {
        let masked = 1; // padding
        if (options.maskHistory) {
          const seen = new Set(histories[i]);
          seen.delete(targets[i]);
          masked += seen.size;
        }
        candidates[start + i] = V - masked;
      }
    } else {
      const N = options.negatives;
      const ids = new Int32Array(b * (N + 1));
      for (let i = 0; i < b; i++) {
        ids[i * (N + 1)] = targets[i];
        const negatives = (sampler as NegativeSampler)(
          set.userIndex[start + i],
          targets[i],
          N,
          rng,
        );
        ids.set(negatives, i * (N + 1) + 1);
      }
      const rankValues = tf.tidy(() => {
        const scores = lastPositionScores(model, params, histories, model.maxLength);
        const picked = tf.reshape(pickPerRow(scores, ids, N + 1), [b, N + 1]);
        const targetScores = tf.slice(picked, [0, 0], [b, 1]);
        return tf.sum(tf.cast(tf.greaterEqual(picked, targetScores), 'float32'), 1);
      });
      ranks.set(rankValues.dataSync(), start);
      rankValues.dispose();
      candidates.fill(N + 1, start, end);
    }
    options.onProgress?.(end, n);
  }
  return { ranks, candidates, top };
}

/**
 * The target's rank among a row's candidates with ties counted against it: how many scores are ≥
 * the target's (the target included). A non-finite target score ranks last.
 */
export function pessimisticRank(row: Float32Array, targetScore: number): number {
  if (Number.isNaN(targetScore)) return row.length;
  let count = 0;
  for (let j = 0; j < row.length; j++) if (row[j] >= targetScore) count++;
  return count;
}

/** Indices of the k highest scores of a row, best first; ties go to the lower index (as tf.topk). */
export function topIndices(row: Float32Array, k: number): Int32Array {
  const idx = new Int32Array(k);
  const val = new Float32Array(k);
  let filled = 0;
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (filled === k && !(v > val[k - 1])) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && v > val[p - 1]) {
      val[p] = val[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    val[p] = v;
    idx[p] = j;
  }
  return idx;
}

/**
 * Picks `perRow` columns of each row of `[B, V]` scores (`columns` row-major `[B, perRow]`) with one
 * flat gather (the wasm backend's batched gather is unreliable).
 */
function pickPerRow(scores: tf.Tensor2D, columns: Int32Array, perRow: number): tf.Tensor1D {
  const [b, v] = scores.shape;
  const flat = new Int32Array(b * perRow);
  for (let i = 0; i < b * perRow; i++) flat[i] = Math.floor(i / perRow) * v + columns[i];
  return tf.gather(tf.reshape(scores, [b * v]), tf.tensor1d(flat, 'int32')) as tf.Tensor1D;
}

type NegativeSampler = (user: number, target: number, count: number, rng: Rng) => Int32Array;

/**
 * Draws negatives the user never interacted with (anywhere in their sequence, held-out items
 * included), uniformly or in proportion to training popularity, without repeats.
 */
export function negativeSampler(
  split: LeaveOneOutSplit,
  mode: 'uniform' | 'popularity',
): NegativeSampler {
  const V = split.vocab.size;
  let cumulative: Float64Array | undefined;
  if (mode === 'popularity') {
    const counts = new Float64Array(V);
    for (const s of split.train) for (const item of s) counts[item]++;
    cumulative = new Float64Array(V);
    let acc = 0;
    for (let i = 1; i < V; i++) cumulative[i] = acc += counts[i] + 1e-9;
  }
  return (user, target, count, rng) => {
    const seen = new Set<number>(split.test.histories[user]);
    seen.add(split.test.targets[user]);
    seen.add(target);
    const available = V - 1 - seen.size;
    if (available < count) {
      throw new UserError(
        `eval.negatives: user ${split.users[user]} has only ${available} items left to sample ${count} negatives from; lower eval.negatives (or --negatives).`,
      );
    }
    const out = new Int32Array(count);
    const drawn = new Set<number>();
    let filled = 0;
    while (filled < count) {
      let item: number;
      if (cumulative) {
        item = rng.pickCumulative(cumulative, 1);
      } else {
        item = 1 + rng.int(V - 1);
      }
      if (seen.has(item) || drawn.has(item)) continue;
      drawn.add(item);
      out[filled++] = item;
    }
    return out;
  };
}
