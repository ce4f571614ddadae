import * as tf from '@tensorflow/tfjs-core';
import { nextItemCounts, popularityWeights } from './realData';

describe('popularity weights of the outer loss', () => {
  const sequences = [
    Int32Array.from([1, 2, 3, 2]),
    Int32Array.from([2, 3, 4]),
    Int32Array.from([5, 2]),
  ];

  it('counts each item as a next item (the first position of a sequence is not one)', () => {
    expect(Array.from(nextItemCounts(sequences, 6))).toEqual([0, 0, 3, 2, 1, 0]);
  });

  it('weighs each real position by count^−power, normalised to mean 1, padding skipped', () => {
    const counts = nextItemCounts(sequences, 6);
    const targets = tf.tensor2d(
      [
        [0, 2, 3],
        [0, 0, 4],
      ],
      undefined,
      'int32',
    );
    // Raw weights 3^−1, 2^−1, 1^−1 = 1/3, 1/2, 1 (mean 11/18).
    const w = popularityWeights(targets, counts, 1);
    const expected = [1 / 3, 1 / 2, 1].map((x) => x / (11 / 18));
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
    // Power 0: every real position alike.
    const flat = popularityWeights(targets, counts, 0);
    expect(Array.from(flat.dataSync())).toEqual([1, 1, 1]);
    // Power 0.5: 1/√3, 1/√2, 1 normalised.
    const half = Array.from(popularityWeights(targets, counts, 0.5).dataSync());
    const raw = [3, 2, 1].map((c) => 1 / Math.sqrt(c));
    const mean = raw.reduce((a, b) => a + b, 0) / 3;
    half.forEach((x, i) => expect(x).toBeCloseTo(raw[i] / mean, 6));
    tf.dispose([targets, w, flat]);
  });
});
