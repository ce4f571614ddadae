import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsAvailable } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import { Rng } from '../random/Rng';
import { crossEntropy, fusedCrossEntropyAvailable, sparseSoftmaxCrossEntropy } from './losses';
import { maxRelDiff } from '../testing/numeric';

// The fused sparse softmax cross-entropy of wasm-native (one native pass for the loss, one for the
// gradient) against the composed log-softmax on the same backend and on cpu, against central
// differences, and to second order. CI sets FARZI_REQUIRE_NATIVE=1 so a missing addon fails.
const run = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const describeNative = run ? describe : describe.skip;

const N = 37;
const V = 203;

/** Logits with a wide range: some rows shifted by ±60 (a naive exp would overflow or vanish). */
function logitsData(seed: number): Float32Array {
  const rng = new Rng(seed);
  const z = Float32Array.from({ length: N * V }, () => (rng.next() * 2 - 1) * 8);
  for (let v = 0; v < V; v++) {
    z[3 * V + v] += 60;
    z[5 * V + v] -= 60;
  }
  return z;
}

function labelsData(seed: number): Int32Array {
  const rng = new Rng(seed);
  const t = Int32Array.from({ length: N }, () => rng.int(V));
  t[0] = 0;
  t[1] = V - 1;
  return t;
}

/** Loss values and gradient w.r.t. logits of Σ_n w_n · loss_n, with the fused or composed op. */
function lossAndGrad(z: Float32Array, t: Int32Array, fused: boolean): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const logits = tf.tensor2d(z, [N, V]);
    const labels = tf.tensor1d(t, 'int32');
    const w = tf.linspace(0.5, 1.5, N);
    const loss = sparseSoftmaxCrossEntropy(logits, labels, fused);
    const grad = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(sparseSoftmaxCrossEntropy(x, labels, fused), w)),
    )(logits);
    return [Float32Array.from(loss.dataSync()), Float32Array.from(grad.dataSync())];
  });
}

describeNative('fused sparse softmax cross-entropy (wasm-native)', () => {
  beforeAll(async () => {
    await selectBackend('wasm-native');
  });

  it('is registered by wasm-native and not by the other embedded backends', async () => {
    expect(fusedCrossEntropyAvailable()).toBe(true);
    await selectBackend('wasm');
    expect(fusedCrossEntropyAvailable()).toBe(false);
    await selectBackend('cpu');
    expect(fusedCrossEntropyAvailable()).toBe(false);
    await selectBackend('wasm-native');
  });

  it('matches the composed log-softmax in value and gradient, here and on cpu', async () => {
    const z = logitsData(1);
    const t = labelsData(2);
    const [fusedLoss, fusedGrad] = lossAndGrad(z, t, true);
    const [composedLoss, composedGrad] = lossAndGrad(z, t, false);
    await selectBackend('cpu');
    const [cpuLoss, cpuGrad] = lossAndGrad(z, t, false);
    await selectBackend('wasm-native');
    expect(fusedLoss.every(Number.isFinite)).toBe(true);
    expect(maxRelDiff(fusedLoss, composedLoss)).toBeLessThan(1e-5);
    expect(maxRelDiff(fusedLoss, cpuLoss)).toBeLessThan(1e-5);
    expect(maxRelDiff(fusedGrad, composedGrad)).toBeLessThan(1e-5);
    expect(maxRelDiff(fusedGrad, cpuGrad)).toBeLessThan(1e-5);
  });

  it('has the gradient of central differences', () => {
    const z = logitsData(3);
    const t = labelsData(4);
    const rng = new Rng(5);
    const direction = Float32Array.from({ length: N * V }, () => rng.next() * 2 - 1);
    const f = (x: Float32Array) =>
      tf.tidy(() => {
        const loss = sparseSoftmaxCrossEntropy(tf.tensor2d(x, [N, V]), tf.tensor1d(t, 'int32'));
        return tf.sum(tf.mul(loss, tf.linspace(0.5, 1.5, N))).dataSync()[0];
      });
    const [, grad] = lossAndGrad(z, t, true);
    const h = 1e-2;
    const plus = z.map((v, i) => v + h * direction[i]);
    const minus = z.map((v, i) => v - h * direction[i]);
    const fd = (f(plus) - f(minus)) / (2 * h);
    const analytic = grad.reduce((s, g, i) => s + g * direction[i], 0);
    expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(1e-2);
  });

  it('differentiates twice like the composed op (Hessian-vector products, scale path)', () => {
    const z = logitsData(6).map((v) => v / 4);
    const t = labelsData(7);
    const hvp = (fused: boolean) =>
      tf.tidy(() => {
        const labels = tf.tensor1d(t, 'int32');
        const u = tf.randomNormal([N, V], 0, 1, 'float32', 8);
        // The per-row weights depend on the logits, so the second derivative also flows through
        // the gradient kernel's `scale` input.
        const h = (x: tf.Tensor) =>
          tf.sum(
            tf.mul(
              sparseSoftmaxCrossEntropy(x, labels, fused),
              tf.sigmoid(tf.reshape(tf.slice(x, [0, 0], [N, 1]), [N])),
            ),
          ) as tf.Scalar;
        const g = tf.grad(h);
        const second = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(g(x), u)) as tf.Scalar);
        return Float32Array.from(second(tf.tensor2d(z, [N, V])).dataSync());
      });
    expect(maxRelDiff(hvp(true), hvp(false))).toBeLessThan(1e-4);
  });

  it('crossEntropy (padding ignored, mean over real targets) agrees with cpu', async () => {
    const rng = new Rng(9);
    const z = Float32Array.from({ length: 4 * 6 * V }, () => rng.next() * 6 - 3);
    const targets = Int32Array.from({ length: 24 }, (_, i) =>
      i % 5 === 0 ? 0 : 1 + rng.int(V - 1),
    );
    const value = () =>
      tf.tidy(() => {
        const logits = tf.tensor3d(z, [4, 6, V]);
        const tg = tf.tensor2d(targets, [4, 6], 'int32');
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => crossEntropy(x, tg))(logits);
        return [value.dataSync()[0], Float32Array.from(grad.dataSync())] as const;
      });
    const [nativeValue, nativeGrad] = value();
    await selectBackend('cpu');
    const [cpuValue, cpuGrad] = value();
    await selectBackend('wasm-native');
    expect(Math.abs(nativeValue - cpuValue) / cpuValue).toBeLessThan(1e-6);
    expect(maxRelDiff(nativeGrad, cpuGrad)).toBeLessThan(1e-5);
    // Padding positions get no gradient.
    expect(Array.from(nativeGrad.slice(0, V)).every((g) => g === 0)).toBe(true);
  });

  it('keeps NaN to its row and refuses labels outside the vocabulary', () => {
    const z = logitsData(10);
    z[2 * V + 7] = NaN;
    const t = labelsData(11);
    const [loss] = lossAndGrad(z, t, true);
    expect(Number.isNaN(loss[2])).toBe(true);
    expect(loss.filter((_, i) => i !== 2).every(Number.isFinite)).toBe(true);
    const bad = Int32Array.from(t);
    bad[4] = V;
    expect(() => lossAndGrad(z, bad, true)).toThrow(
      new RegExp(`label ${V} of row 4 is outside \\[0, ${V}\\)`),
    );
  });

  it('leaves no tensors behind', () => {
    const z = logitsData(12);
    const t = labelsData(13);
    lossAndGrad(z, t, true);
    const before = tf.memory().numTensors;
    lossAndGrad(z, t, true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
