import * as tf from '@tensorflow/tfjs-core';
import { AdamHyper, selectBackend } from '@farzi/core';
import { tinyModel } from '@farzi/core/testing';
import {
  metaGradient,
  outerObjective,
  RealBatch,
  toList,
  unrolledMetaGradient,
} from '@farzi/distill-kit';
import { decodeTucker, TuckerFactors, tuckerSequences } from './tucker';

const V = 8;
const XI = 6;
const hyper: AdamHyper = {
  learningRate: 0.05,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  epsRoot: 1e-8,
  weightDecay: 0,
};

function factors(seed = 1): TuckerFactors {
  const n = (shape: number[], k: number) => tf.randomNormal(shape, 0, 0.5, 'float32', seed + k);
  return {
    users: n([3, 2], 1) as tf.Tensor2D,
    positions: n([XI, 3], 2) as tf.Tensor2D,
    items: n([V, 4], 3) as tf.Tensor2D,
    core: n([2, 3, 4], 4) as tf.Tensor3D,
  };
}

function setup() {
  const model = tinyModel(V, XI - 1, 4);
  const { names, values: w0 } = toList(model.init(2));
  const real: RealBatch = {
    inputs: tf.tensor2d(
      [
        [1, 2, 3, 4, 5],
        [0, 6, 7, 1, 2],
      ],
      undefined,
      'int32',
    ),
    targets: tf.tensor2d(
      [
        [2, 3, 4, 5, 6],
        [6, 7, 1, 2, 3],
      ],
      undefined,
      'int32',
    ),
  };
  return { model, names, w0, real };
}

describe('TD3’s Tucker factorisation as soft sequences', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('decodes to distributions over the items with no mass on padding', () => {
    const f = factors();
    const x = decodeTucker(f, 0.7);
    expect(x.shape).toEqual([3, XI, V]);
    const sums = tf.sum(x, -1).dataSync();
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    expect(tf.max(tf.slice(x, [0, 0, 0], [3, XI, 1])).dataSync()[0]).toBeLessThan(1e-20);
    // S[i,t,v] = Σ G[a,b,c] U[i,a] T[t,b] E[v,c], checked against a direct sum at one entry.
    const [u, t, e, g] = [
      f.users.arraySync(),
      f.positions.arraySync(),
      f.items.arraySync(),
      f.core.arraySync(),
    ];
    const logit = (i: number, tt: number, v: number) => {
      let s = 0;
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 3; b++)
          for (let c = 0; c < 4; c++) s += g[a][b][c] * u[i][a] * t[tt][b] * e[v][c];
      return s / 0.7;
    };
    const row = Array.from({ length: V - 1 }, (_, k) => Math.exp(logit(1, 2, k + 1)));
    const total = row.reduce((a, b) => a + b, 0);
    expect(x.arraySync()[1][2][3]).toBeCloseTo(row[2] / total, 5);
    tf.dispose([x, ...Object.values(f)]);
  });

  it('has the meta-gradient of unrolled autograd and of central finite differences, in a window too', () => {
    const s = setup();
    const f = factors(5);
    for (const window of [undefined, { start: 1, length: 4 }]) {
      const sequences = tuckerSequences(f, 1, window);
      const steps = 3;
      const unrolled = unrolledMetaGradient(
        s.model,
        s.names,
        s.w0,
        sequences,
        s.real,
        steps,
        hyper,
      );
      // States kept at every step: the reversal's float32 drift (which Adam's inversion amplifies
      // on this tiny model: 7% at T 3) stays out of a check of the factorisation's pull-back.
      const meta = metaGradient(s.model, s.names, s.w0, sequences, s.real, {
        steps,
        hyper,
        method: 'exact',
        checkpointEvery: 1,
      });
      const dirs = Object.fromEntries(
        Object.entries(f).map(([k, t], i) => [
          k,
          tf.randomNormal(t.shape, 0, 1, 'float32', 40 + i),
        ]),
      );
      const along = (g: Record<string, tf.Tensor>) =>
        tf.tidy(() =>
          Object.keys(dirs).reduce(
            (sum, k) => sum + tf.sum(tf.mul(g[k], dirs[k])).dataSync()[0],
            0,
          ),
        );
      const reference = along(unrolled.grads);
      expect(Math.abs(along(meta.grads) - reference)).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(reference)),
      );
      const eps = 3e-4;
      const at = (sign: number) =>
        tf.tidy(() => {
          const moved = Object.fromEntries(
            Object.entries(f).map(([k, t]) => [k, tf.add(t, tf.mul(dirs[k], sign * eps))]),
          ) as unknown as TuckerFactors;
          return outerObjective(
            s.model,
            s.names,
            s.w0,
            tuckerSequences(moved, 1, window),
            s.real,
            steps,
            hyper,
          );
        });
      const fd = (at(1) - at(-1)) / (2 * eps);
      expect(Math.abs(fd - reference)).toBeLessThan(
        2e-2 * Math.max(1e-3, Math.abs(reference)) + 2e-4,
      );
      if (window) {
        // Positions outside the window get no gradient.
        const rows = meta.grads.positions.arraySync() as number[][];
        expect(rows[0].every((x) => x === 0)).toBe(true);
        expect(rows[5].every((x) => x === 0)).toBe(true);
        expect(rows[2].some((x) => x !== 0)).toBe(true);
      }
      tf.dispose([
        ...Object.values(unrolled.grads),
        ...Object.values(meta.grads),
        ...Object.values(dirs),
      ]);
    }
    tf.dispose(Object.values(f));
  });

  it('keeps memory bounded in the inner horizon (reverse mode), and leaves no tensor', () => {
    const s = setup();
    const f = factors(9);
    const peak = (steps: number) => {
      let top = 0;
      const before = tf.memory().numTensors;
      const meta = metaGradient(s.model, s.names, s.w0, tuckerSequences(f, 1), s.real, {
        steps,
        hyper,
        method: 'exact',
        checkpointEvery: 0,
        onStep: () => (top = Math.max(top, tf.memory().numBytes)),
      });
      tf.dispose(Object.values(meta.grads));
      expect(tf.memory().numTensors).toBe(before);
      return top;
    };
    const short = peak(2);
    const long = peak(16);
    expect(long).toBeLessThan(short * 1.3);
    tf.dispose(Object.values(f));
  });
});
