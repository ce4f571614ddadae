import * as tf from '@tensorflow/tfjs-core';
import { PAD_TOKEN, Rng } from '@farzi/core';
import type { FarziData } from '@farzi/distill-farzi';
import type { EvalSample } from '../browser/evalSample';

/** Small Farzi Data [μ×ξ] over `items` items, random but seeded, made for a tiny SASRec student. */
export function fixtureData(mu = 6, xi = 7, items = 30, d = 5, seed = 1): FarziData {
  const rng = new Rng(seed);
  const values = (n: number) => Float32Array.from({ length: n }, () => 2 * rng.normal());
  return {
    latent: tf.tensor3d(values(mu * xi * d), [mu, xi, d]),
    decoder: tf.tensor2d(values(d * (items + 1)), [d, items + 1]),
    temperature: 1,
    vocabulary: [PAD_TOKEN, ...Array.from({ length: items }, (_, i) => `item-${i + 1}`)],
    sourceFingerprint: 'fixture-fingerprint',
    info: {
      model: { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1, dropout: 0.2 },
      distill: { student: { epochs: 4, learningRate: 0.01, batchSize: 0 } },
      data: { maxLength: 6 },
      train: { optimizer: { name: 'adam', clipNorm: 5 } },
    },
  };
}

/** Held-out sequences over the fixture's items (ids item-1…), seeded. */
export function fixtureSample(users = 15, items = 30, seed = 2): EvalSample {
  const rng = new Rng(seed);
  const id = () => `item-${1 + rng.int(items)}`;
  return {
    format: 'farzi-eval-sample',
    version: 1,
    source: { data: 'fixture', fingerprint: 'fixture-fingerprint', part: 'test', users, seed },
    protocol: 'fixture',
    sequences: Array.from({ length: users }, () => ({
      history: Array.from({ length: 2 + rng.int(6) }, id),
      target: id(),
    })),
  };
}
