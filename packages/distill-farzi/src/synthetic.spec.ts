import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@farzi/core';
import { AUTO_CHUNK_VALUES, disposeSynthetic, sequencesPerChunk } from '@farzi/distill-kit';
import { decodeSynthetic, pullBackToLatent } from './synthetic';

describe('synthetic sequences in chunks', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('uses one chunk while the decoded data fits, else the fewest equal chunks', () => {
    expect(sequencesPerChunk(50, 20, 12102)).toBe(50); // Beauty [50×20]: 11.5 M values
    expect(sequencesPerChunk(50, 51, 12102)).toBe(17); // Beauty [50×50]: 29.6 M → 3 chunks
    expect(sequencesPerChunk(50, 21, 18358)).toBe(25); // Sports [50×20]: 18.4 M → 2 chunks
    expect(sequencesPerChunk(50, 51, 1683)).toBe(50);
    expect(sequencesPerChunk(3, 2, AUTO_CHUNK_VALUES * 10)).toBe(1); // never below one sequence
    expect(sequencesPerChunk(50, 51, 1683, 7)).toBe(7); // an explicit size wins
    expect(sequencesPerChunk(5, 51, 1683, 70)).toBe(5);
  });

  it('decodes every sequence once, with weights summing to 1, and pulls back as one piece does', () => {
    const data = {
      latent: tf.randomNormal([5, 4, 3], 0, 1, 'float32', 1),
      decoder: tf.randomNormal([3, 7], 0, 1, 'float32', 2),
      temperature: 0.7,
    };
    const whole = decodeSynthetic(data);
    const parts = decodeSynthetic(data, 2);
    expect(whole).toHaveLength(1);
    expect(parts.map((c) => [c.from, c.count])).toEqual([
      [0, 2],
      [2, 2],
      [4, 1],
    ]);
    expect(parts.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(1, 12);
    const joined = tf.concat(
      parts.map((c) => c.inputs),
      0,
    );
    expect(tf.max(tf.abs(tf.sub(joined, whole[0].inputs))).dataSync()[0]).toBeLessThan(1e-7);
    // The same cotangents, whole or in pieces, give the same dL/dF and dL/dM.
    const dIn = tf.randomNormal(whole[0].inputs.shape, 0, 1, 'float32', 3);
    const dTgt = tf.randomNormal(whole[0].targets.shape, 0, 1, 'float32', 4);
    const one = pullBackToLatent(data, [{ chunk: whole[0], dInputs: dIn, dTargets: dTgt }]);
    const split = pullBackToLatent(
      data,
      parts.map((c) => ({
        chunk: c,
        dInputs: tf.slice(dIn, [c.from, 0, 0], [c.count, -1, -1]),
        dTargets: tf.slice(dTgt, [c.from, 0, 0], [c.count, -1, -1]),
      })),
    );
    for (const key of ['latent', 'decoder'] as const) {
      expect(split[key].shape).toEqual(one[key].shape);
      expect(tf.max(tf.abs(tf.sub(split[key], one[key]))).dataSync()[0]).toBeLessThan(1e-5);
    }
    disposeSynthetic(whole);
    disposeSynthetic(parts);
  });
});
