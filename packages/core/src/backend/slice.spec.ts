import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random/Rng';
import { selectBackend } from './selectBackend';

// Slice on wasm (contiguous runs copied inside the wasm memory) against the cpu backend's upstream
// kernel: every rank to 5, every dtype it handles, runs of every length, empty and whole slices.
type Case = {
  shape: number[];
  begin: number[];
  size: number[];
  dtype: 'float32' | 'int32' | 'bool';
};

function randomCases(count: number): Case[] {
  const rng = new Rng(17);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const rank = 1 + rng.int(5);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(5));
    const begin = shape.map((n) => rng.int(n));
    // Whole trailing axes are common (X[:, :-1] and leading-axis slices): every third axis.
    const size = shape.map((n, i) =>
      rng.int(3) === 0 ? -1 : rng.int(4) === 0 ? 0 : 1 + rng.int(n - begin[i]),
    );
    const whole = rng.int(3) === 0;
    cases.push({
      shape,
      begin: whole ? shape.map(() => 0) : begin,
      size: whole ? shape.map(() => -1) : size,
      dtype: (['float32', 'int32', 'bool'] as const)[rng.int(3)],
    });
  }
  return cases;
}

async function sliceOn(backend: 'cpu' | 'wasm', c: Case) {
  await selectBackend(backend);
  const n = c.shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) =>
    c.dtype === 'bool' ? i % 3 === 0 : i * 0.5 - 7,
  );
  const y = tf.tidy(() =>
    tf.slice(tf.tensor(values as number[] | boolean[], c.shape, c.dtype), c.begin, c.size),
  );
  const out = { shape: y.shape, dtype: y.dtype, values: Array.from(y.dataSync()) };
  y.dispose();
  return out;
}

describe('Slice on wasm (contiguous runs in the wasm memory)', () => {
  it('matches the cpu kernel on 200 random slices (ranks 1–5, float32, int32, bool)', async () => {
    for (const c of randomCases(200)) {
      expect([c, await sliceOn('wasm', c)]).toEqual([c, await sliceOn('cpu', c)]);
    }
  });

  it('slices the synthetic text the way the Farzi steps do, and its gradient pads back', async () => {
    const shapes: Case[] = [
      { shape: [6, 4, 9], begin: [2, 0, 0], size: [3, 4, 9], dtype: 'float32' }, // leading axis
      { shape: [6, 4, 9], begin: [0, 0, 0], size: [6, 3, 9], dtype: 'float32' }, // X[:, :-1]
      { shape: [6, 4, 9], begin: [0, 1, 0], size: [6, 3, 9], dtype: 'float32' }, // X[:, 1:]
      { shape: [6, 4, 9], begin: [0, 0, 1], size: [6, 4, 8], dtype: 'float32' }, // last axis
    ];
    for (const c of shapes) expect(await sliceOn('wasm', c)).toEqual(await sliceOn('cpu', c));
    await selectBackend('wasm');
    const x = tf.tensor3d(
      Array.from({ length: 6 * 4 * 9 }, (_, i) => i),
      [6, 4, 9],
    );
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1, 0], [6, 3, 9]), 2)))(x);
    const expected = Array.from({ length: 6 * 4 * 9 }, (_, i) =>
      Math.floor(i / 9) % 4 === 0 ? 0 : 2,
    );
    expect(Array.from(g.dataSync())).toEqual(expected);
    tf.dispose([x, g]);
  });

  it('leaves no tensors behind and takes strings to the built-in kernel', async () => {
    await selectBackend('wasm');
    const x = tf.randomNormal([40, 30, 20]);
    const before = tf.memory().numTensors;
    tf.slice(x, [5, 0, 0], [10, 30, 20]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    const s = tf.tensor1d(['a', 'b', 'c'], 'string');
    const t = tf.slice(s, [1], [2]);
    expect(await t.array()).toEqual(['b', 'c']);
    tf.dispose([s, t]);
  });
});
