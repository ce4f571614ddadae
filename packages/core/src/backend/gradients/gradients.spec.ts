import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../selectBackend';
import { availableEmbeddedBackends } from '../wasmNative';
import { meanGradConfig } from './Mean';
import { sumGradConfig } from './Sum';
import { exp } from '../../ops/safeOps';

describe.each(availableEmbeddedBackends())('reduction gradients on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('are the project’s (registered by selectBackend)', () => {
    expect(tf.getGradient(tf.Sum)).toBe(sumGradConfig);
    expect(tf.getGradient(tf.Mean)).toBe(meanGradConfig);
  });

  it.each([[[1]], [[0]], [[0, 2]], [undefined]])(
    'give the hand-computed first and second derivatives (axis %p)',
    (axis) => {
      tf.tidy(() => {
        const x = tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => Math.sin(i + 1)),
          [2, 3, 4],
        );
        const w = tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => Math.cos(2 * i)),
          [2, 3, 4],
        );
        const axes = axis ?? [0, 1, 2];
        const n = axes.reduce((p, a) => p * x.shape[a], 1);
        // f(x) = Σ sum(w·x, axes)² + Σ mean(x, axes)³
        const f = (t: tf.Tensor) =>
          tf.add(
            tf.sum(tf.square(tf.sum(tf.mul(w, t), axis))),
            tf.sum(tf.pow(tf.mean(t, axis), 3)),
          ) as tf.Scalar;
        const s = tf.sum(tf.mul(w, x), axes, true);
        const m = tf.mean(x, axes, true);
        const expected = tf.add(tf.mul(tf.mul(s, 2), w), tf.div(tf.mul(tf.square(m), 3), n));
        const g = tf.grad(f)(x);
        expect(tf.max(tf.abs(tf.sub(g, expected))).dataSync()[0]).toBeLessThan(1e-5);
        // H·v by double backward against the hand-computed product.
        const v = tf.tensor3d(
          Array.from({ length: 24 }, (_, i) => ((i * 7) % 5) - 2),
          [2, 3, 4],
        );
        const hv = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(t), v)))(x);
        const sv = tf.sum(tf.mul(w, v), axes, true);
        const mv = tf.mean(v, axes, true);
        const hvExpected = tf.add(tf.mul(tf.mul(sv, 2), w), tf.div(tf.mul(tf.mul(m, mv), 6), n));
        expect(tf.max(tf.abs(tf.sub(hv, hvExpected))).dataSync()[0]).toBeLessThan(1e-4);
      });
    },
  );

  it('do not depend on the reduced tensor, so a second-order pass sends nothing back through it', async () => {
    // f(x) = Σ exp(x)·c is linear in exp(x): ∇f = exp(x)·c, whose gradient reaches x through
    // exp's gradient only (the second-order-safe exp: tfjs's own reads its saved output). The reduction's ones must not hang off exp(x) on the tape, else the
    // second pass also runs exp(x)'s gradient with a zero cotangent (an extra Exp and Multiply).
    const x = tf.tensor1d([0.1, -0.4, 0.7]);
    const c = tf.tensor1d([2, -1, 0.5]);
    const v = tf.tensor1d([1, 3, -2]);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(exp(t), c)) as tf.Scalar;
    const profile = await tf.profile(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(t), v)))(x),
    );
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).not.toContain('OnesLike');
    expect(kernels).not.toContain('ZerosLike');
    const hv = profile.result as tf.Tensor;
    const expected = [0.1, -0.4, 0.7].map(
      (xi, i) => Math.exp(xi) * [2, -1, 0.5][i] * [1, 3, -2][i],
    );
    Array.from(hv.dataSync()).forEach((h, i) => expect(h).toBeCloseTo(expected[i], 5));
    tf.dispose([x, c, v, hv]);
  });
});
