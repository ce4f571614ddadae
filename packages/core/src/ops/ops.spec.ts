import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/selectBackend';
import { availableEmbeddedBackends } from '../backend/wasmNative';
import { paddingMask } from './embed';
import { crossEntropy, softCrossEntropy } from './losses';
import * as safe from './safeOps';

function close(a: tf.Tensor, b: tf.Tensor | number[], tol = 1e-5): void {
  const x = a.dataSync();
  const y = Array.isArray(b) ? b : Array.from(b.dataSync());
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(tol * Math.max(1, Math.abs(y[i]))));
}

/** Hessian-vector product by double backward vs central differences of the gradient. */
function hvpCheck(f: (x: tf.Tensor) => tf.Scalar, x0: tf.Tensor, seed: number): number {
  const v = tf.randomNormal(x0.shape, 0, 1, 'float32', seed);
  const grad = tf.grad(f);
  const hvp = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(grad(x), v)) as tf.Scalar)(x0);
  const r = 1e-2;
  const fd = tf.div(tf.sub(grad(tf.add(x0, tf.mul(v, r))), grad(tf.sub(x0, tf.mul(v, r)))), 2 * r);
  return tf.norm(tf.sub(hvp, fd)).dataSync()[0] / Math.max(tf.norm(fd).dataSync()[0], 1e-8);
}

describe.each(availableEmbeddedBackends())('second-order-safe ops on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });
  const x = () =>
    tf.tensor2d([
      [0.5, -1.2, 3.0, 0.1],
      [-2.0, 0.0, 1.5, -0.3],
    ]);

  it('match the TensorFlow.js ops in value', () => {
    close(safe.softmax(x()), tf.softmax(x()));
    close(safe.logSoftmax(x()), tf.logSoftmax(x()));
    close(safe.sigmoid(x()), tf.sigmoid(x()));
    close(safe.tanh(x()), tf.tanh(x()));
    close(safe.exp(x()), tf.exp(x()));
    close(safe.softplus(x()), tf.softplus(x()));
    close(safe.logSumExp(x()), tf.logSumExp(x(), -1, true));
    // GELU (tanh approximation) at hand-computed points.
    close(safe.gelu(tf.tensor1d([0, 1, -1])), [0, 0.841192, -0.158808], 1e-5);
  });

  it('stay finite for large inputs', () => {
    const big = tf.tensor2d([
      [1000, -1000, 0],
      [-5000, 5000, 1],
    ]);
    for (const t of [safe.softmax(big), safe.logSoftmax(big), safe.sigmoid(big), safe.tanh(big)]) {
      expect(Array.from(t.dataSync()).every(Number.isFinite)).toBe(true);
    }
    const g = tf.grad((z: tf.Tensor) => tf.sum(safe.logSigmoid(z)) as tf.Scalar)(big);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it.each([
    ['softmax', (z: tf.Tensor) => tf.sum(tf.square(safe.softmax(z))) as tf.Scalar],
    [
      'logSoftmax',
      (z: tf.Tensor) =>
        tf.sum(
          tf.mul(
            safe.logSoftmax(z),
            tf.tensor2d([
              [1, 0, 0, 2],
              [0, 3, 0, 0],
            ]),
          ),
        ) as tf.Scalar,
    ],
    ['sigmoid', (z: tf.Tensor) => tf.sum(tf.square(safe.sigmoid(z))) as tf.Scalar],
    ['tanh', (z: tf.Tensor) => tf.sum(tf.pow(safe.tanh(z), 3)) as tf.Scalar],
    ['gelu', (z: tf.Tensor) => tf.sum(tf.square(safe.gelu(z))) as tf.Scalar],
    [
      'cross-entropy',
      (z: tf.Tensor) =>
        crossEntropy(tf.reshape(z, [1, 2, 4]), tf.tensor2d([[3, 1]], undefined, 'int32')),
    ],
  ])('%s: Hessian-vector products match finite differences of the gradient', (_, f) => {
    expect(hvpCheck(f, x(), 3)).toBeLessThan(1e-2);
  });
});

describe.each(availableEmbeddedBackends())('soft-token padding mask on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('is 1 − the mass on index 0, for ids and soft tokens alike, with its gradient', () => {
    tf.tidy(() => {
      const soft = tf.tensor3d([
        [
          [0.25, 0.5, 0.25],
          [1, 0, 0],
        ],
        [
          [0, 0.1, 0.9],
          [0.6, 0.4, 0],
        ],
      ]);
      close(paddingMask(soft), [0.75, 0, 1, 0.4]);
      close(
        paddingMask(
          tf.tensor2d(
            [
              [3, 0],
              [0, 7],
            ],
            undefined,
            'int32',
          ),
        ),
        [1, 0, 0, 1],
      );
      // d/dX Σ w·mask = −w on column 0, 0 elsewhere.
      const w = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(paddingMask(x), w)) as tf.Scalar)(soft);
      close(g, [-1, 0, 0, -2, 0, 0, -3, 0, 0, -4, 0, 0]);
    });
  });
});

describe('dropout', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('keeps about 1 − rate of the values, scaled by 1 / (1 − rate), the same mask per seed', () => {
    const x = tf.ones([200, 500]);
    const a = safe.dropout(x, 0.2, true, 7).dataSync();
    const b = safe.dropout(x, 0.2, true, 7).dataSync();
    const c = safe.dropout(x, 0.2, true, 8).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const kept = Array.from(a).filter((v) => v !== 0);
    // The rate is rounded up to a multiple of 2⁻¹⁶ and kept values scaled by 1 / P(keep).
    const keepProbability = (65536 - Math.ceil(0.2 * 65536)) / 65536;
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / keepProbability)]));
    // 100,000 Bernoulli(0.8) draws: the kept share is within 0.5% of 0.8 (about 6 sigma).
    expect(Math.abs(kept.length / a.length - 0.8)).toBeLessThan(0.005);
  });

  it('is the identity when not training or at rate 0, and its gradient is the mask', () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1);
    expect(safe.dropout(x, 0.5, false, 1)).toBe(x);
    expect(safe.dropout(x, 0, true, 1)).toBe(x);
    const mask = safe.dropout(tf.onesLike(x), 0.5, true, 3);
    const g = tf.grad((y: tf.Tensor) => tf.sum(safe.dropout(y, 0.5, true, 3)))(x);
    close(g, mask);
  });
});

describe('losses', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  const logits = () =>
    tf.tensor3d([
      [
        [1, 2, 0.5],
        [0.1, -1, 2],
      ],
      [
        [3, 0, 0],
        [0, 0, 0],
      ],
    ]);

  it('hard cross-entropy ignores padding targets and averages over real ones', () => {
    const targets = tf.tensor2d(
      [
        [1, 2],
        [0, 1],
      ],
      undefined,
      'int32',
    );
    const lse = (r: number[]) => Math.log(r.reduce((a, b) => a + Math.exp(b), 0));
    const expected = (lse([1, 2, 0.5]) - 2 + (lse([0.1, -1, 2]) - 2) + (lse([0, 0, 0]) - 0)) / 3;
    expect(crossEntropy(logits(), targets).dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('soft cross-entropy with one-hot targets equals hard cross-entropy', () => {
    const targets = tf.tensor2d(
      [
        [1, 2],
        [0, 1],
      ],
      undefined,
      'int32',
    );
    const soft = tf.cast(tf.oneHot(targets, 3), 'float32');
    const mask = tf.cast(tf.notEqual(targets, 0), 'float32');
    close(softCrossEntropy(logits(), soft, mask), crossEntropy(logits(), targets), 1e-6);
  });

  it('is stable for huge logits', () => {
    const huge = tf.tensor3d([[[0, 1e4, -1e4]]]);
    expect(crossEntropy(huge, tf.tensor2d([[1]], undefined, 'int32')).dataSync()[0]).toBeCloseTo(
      0,
      5,
    );
    expect(crossEntropy(huge, tf.tensor2d([[2]], undefined, 'int32')).dataSync()[0]).toBeCloseTo(
      2e4,
      0,
    );
  });
});
