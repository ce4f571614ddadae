import * as tf from '@tensorflow/tfjs-core';
import {
  availableEmbeddedBackends,
  LeaveOneOutSplit,
  Model,
  Rng,
  selectBackend,
  Vocabulary,
} from '@farzi/core';
import { computeRanks, negativeSampler } from './computeRanks';

/** A model that returns fixed per-user scores at every position (one row per user, in order). */
function fixedScoreModel(scores: number[][], maxLength: number): Model {
  let call = 0;
  return {
    name: 'fixed',
    vocabSize: scores[0].length,
    maxLength,
    hyperParameters: {},
    parameterCount: () => 0,
    init: () => ({}),
    apply(_params, input) {
      const b = input.shape[0];
      const rows = scores.slice(call, call + b);
      call += b;
      return tf.tidy(() =>
        tf.tile(tf.expandDims(tf.tensor2d(rows), 1), [1, maxLength, 1]),
      ) as tf.Tensor3D;
    },
  };
}

// Items 1..6 (index 0 is padding); two users.
const split: LeaveOneOutSplit = {
  kind: 'leave-one-out',
  source: 'hand',
  vocab: Vocabulary.fromRaw(['a', 'b', 'c', 'd', 'e', 'f']),
  users: ['u0', 'u1'],
  train: [Int32Array.from([1, 2]), Int32Array.from([3])],
  valid: {
    userIndex: Int32Array.from([0, 1]),
    histories: [Int32Array.from([1, 2]), Int32Array.from([3])],
    targets: Int32Array.from([4, 5]),
  },
  test: {
    userIndex: Int32Array.from([0, 1]),
    histories: [Int32Array.from([1, 2, 4]), Int32Array.from([3, 5])],
    targets: Int32Array.from([6, 1]),
  },
};

const full = {
  protocol: 'full' as const,
  maskHistory: true,
  negatives: 2,
  negativeSampling: 'uniform' as const,
  batchSize: 1,
  topK: 3,
  seed: 1,
};

describe.each(availableEmbeddedBackends())('computeRanks on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('ranks against all items, masking the history and padding, with pessimistic ties', () => {
    // user 0: target 4 scores 0.5; item 1 (history, 0.9) is masked; items 3 and 5 tie/beat it.
    // user 1: target 5 scores 0.2; item 3 (history) masked; items 1, 2, 4 higher, 6 ties → rank 5.
    const scores = [
      [9, 0.9, 0.1, 0.5, 0.5, 0.7, 0.0],
      [9, 0.8, 0.6, 0.99, 0.3, 0.2, 0.2],
    ];
    const r = computeRanks(fixedScoreModel(scores, 3), {}, split, split.valid, full);
    expect(Array.from(r.ranks)).toEqual([3, 5]);
    expect(Array.from(r.candidates)).toEqual([4, 5]);
    expect(Array.from(r.top[0])).toEqual([5, 3, 4]);
  });

  it('ranks the same in chunks of one user as in one chunk, through the output layer or the logits', () => {
    // Random states per position and a random output table: a model with and without the fast path.
    const V = 50;
    const d = 4;
    const rng = new Rng(3);
    const table = tf.tensor2d(
      Array.from({ length: V * d }, () => rng.normal()),
      [V, d],
    );
    const itemStates = tf.tensor2d(
      Array.from({ length: V * d }, () => rng.normal()),
      [V, d],
    );
    const states = (_p: unknown, input: tf.Tensor) =>
      tf.tidy(() => tf.gather(itemStates, tf.cast(input, 'int32'))) as unknown as tf.Tensor3D;
    const base = {
      name: 'bag',
      vocabSize: V,
      maxLength: 5,
      hyperParameters: {},
      parameterCount: () => 0,
      init: () => ({}),
    };
    const slow: Model = {
      ...base,
      apply: (p, input) =>
        tf.tidy(() => {
          const h = states(p, input);
          const [b, l] = h.shape;
          return tf.reshape(tf.matMul(tf.reshape(h, [b * l, d]), table, false, true), [b, l, V]);
        }) as tf.Tensor3D,
    };
    const fast: Model = {
      ...slow,
      hiddenStates: states,
      outputLayer: () => ({ weights: table, itemAxis: 0 }),
    };
    const users = 23;
    const histories = Array.from({ length: users }, (_, u) =>
      Int32Array.from({ length: 1 + (u % 5) }, (_, t) => 1 + ((u * 7 + t * 3) % (V - 1))),
    );
    // Some targets repeat a history item (they stay candidates).
    const targets = Int32Array.from(histories, (h, u) =>
      u % 4 === 0 ? h[0] : 1 + ((u * 11) % (V - 1)),
    );
    const set = { userIndex: Int32Array.from({ length: users }, (_, u) => u), histories, targets };
    const big: LeaveOneOutSplit = {
      ...split,
      vocab: Vocabulary.fromRaw(Array.from({ length: V - 1 }, (_, i) => `i${i}`)),
      users: histories.map((_, u) => `u${u}`),
      train: histories,
      valid: set,
      test: set,
    };
    const options = { ...full, batchSize: 64, topK: 5 };
    const whole = computeRanks(fast, {}, big, set, options);
    const chunked = computeRanks(fast, {}, big, set, { ...options, maxScoresPerChunk: V });
    const dense = computeRanks(slow, {}, big, set, options);
    expect(Array.from(chunked.ranks)).toEqual(Array.from(whole.ranks));
    expect(Array.from(dense.ranks)).toEqual(Array.from(whole.ranks));
    expect(chunked.top.map((t) => Array.from(t))).toEqual(whole.top.map((t) => Array.from(t)));
    expect(dense.top.map((t) => Array.from(t))).toEqual(whole.top.map((t) => Array.from(t)));
    expect(new Set(whole.ranks).size).toBeGreaterThan(5); // not a degenerate ranking
    tf.dispose([table, itemStates]);
  });

  it('ranks against every item when nothing is masked (padding excluded)', () => {
    const scores = [
      [9, 0.9, 0.1, 0.5, 0.5, 0.7, 0.0],
      [9, 0.8, 0.6, 0.99, 0.3, 0.2, 0.2],
    ];
    const r = computeRanks(fixedScoreModel(scores, 3), {}, split, split.valid, {
      ...full,
      maskHistory: false,
    });
    expect(Array.from(r.ranks)).toEqual([4, 6]);
    expect(Array.from(r.candidates)).toEqual([6, 6]);
  });

  it('sampled protocol ranks the target among its negatives', () => {
    // user 0 (test): target 6; never-seen items for u0 are {3, 5}: both drawn with 2 negatives.
    const scores = [
      [0, 0, 0, 0.5, 0, 0.4, 0.45],
      [0, 0.1, 0.9, 0, 0.3, 0, 0.2],
    ];
    const r = computeRanks(fixedScoreModel(scores, 3), {}, split, split.test, {
      ...full,
      protocol: 'sampled',
    });
    expect(r.ranks[0]).toBe(2); // 0.45 vs {0.5, 0.4}
    expect(Array.from(r.candidates)).toEqual([3, 3]);
  });
});

describe('negativeSampler', () => {
  it('never draws an item the user interacted with, nor repeats', () => {
    const V = 200;
    const seqs = Array.from({ length: 5 }, (_, u) =>
      Int32Array.from({ length: 60 }, (_, t) => ((u * 7 + t * 3) % (V - 1)) + 1),
    );
    const big: LeaveOneOutSplit = {
      kind: 'leave-one-out',
      source: 's',
      vocab: Vocabulary.fromRaw(Array.from({ length: V - 1 }, (_, i) => String(i))),
      users: seqs.map((_, u) => `u${u}`),
      train: seqs.map((s) => s.subarray(0, 58)),
      valid: {
        userIndex: Int32Array.from([0, 1, 2, 3, 4]),
        histories: seqs.map((s) => s.subarray(0, 58)),
        targets: Int32Array.from(seqs, (s) => s[58]),
      },
      test: {
        userIndex: Int32Array.from([0, 1, 2, 3, 4]),
        histories: seqs.map((s) => s.subarray(0, 59)),
        targets: Int32Array.from(seqs, (s) => s[59]),
      },
    };
    for (const mode of ['uniform', 'popularity'] as const) {
      const sample = negativeSampler(big, mode);
      const rng = new Rng(3);
      for (let u = 0; u < 5; u++) {
        const negatives = Array.from(sample(u, big.test.targets[u], 100, rng));
        const seen = new Set(seqs[u]);
        expect(negatives.filter((i) => seen.has(i) || i === 0)).toEqual([]);
        expect(new Set(negatives).size).toBe(100);
      }
    }
  });
});
