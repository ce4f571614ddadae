import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsAvailable } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import { Rng } from '../random/Rng';
import { softCrossEntropy } from './losses';
import * as safeOps from './safeOps';
import { fusedSoftCrossEntropyAvailable } from './softCrossEntropy';
import { maxRelDiff } from '../testing/numeric';

// The soft-target cross-entropy: the fused kernels of wasm-native (loss, gradient and the
// gradient's gradient, one call each) against the composed log-softmax (autodiff through its ops,
// to second order) on the same backend, and both against central differences of the loss and of
// its gradient; the composed path on cpu and wasm too. CI sets FARZI_REQUIRE_NATIVE=1.
const native = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const backends = native ? ['cpu', 'wasm', 'wasm-native'] : ['cpu', 'wasm'];

const B = 3;
const L = 5;
const V = 41;

function data(seed: number): Data {
  const rng = new Rng(seed);
  const z = Float32Array.from({ length: B * L * V }, () => (rng.next() * 2 - 1) * 6);
  // One position shifted far up and one far down: a naive exp would overflow or vanish.
  for (let v = 0; v < V; v++) {
    z[2 * V + v] += 50;
    z[7 * V + v] -= 50;
  }
  // Targets: distributions, one scaled (a sum of 0.5, as a weighted target can be), one one-hot.
  const t = new Float32Array(B * L * V);
  for (let r = 0; r < B * L; r++) {
    let sum = 0;
    for (let v = 0; v < V; v++) sum += t[r * V + v] = Math.exp(3 * rng.next());
    const scale = r === 4 ? 0.5 : 1;
    for (let v = 0; v < V; v++) t[r * V + v] *= scale / sum;
  }
  t.fill(0, 9 * V, 10 * V);
  t[9 * V + 3] = 1;
  const mask = Float32Array.from({ length: B * L }, (_, i) => (i % 4 === 3 ? 0 : 0.5 + (i % 3)));
  const u = Float32Array.from({ length: B * L * V }, () => rng.next() * 2 - 1);
  const w = Float32Array.from({ length: B * L * V }, () => rng.next() * 2 - 1);
  return { z, t, mask, u, w };
}

interface Data {
  z: Float32Array;
  t: Float32Array;
  mask: Float32Array;
  u: Float32Array;
  w: Float32Array;
}

/**
 * Loss, gradients in logits and targets, and the Hessian-vector products of ⟨∇z ℓ, u⟩ in both
 * (what the Farzi reverse pass takes through the inner loss, whose first backward asks for the
 * logits' gradient only) and of ⟨∇z ℓ, u⟩ + ⟨∇t ℓ, w⟩.
 */
function evaluate(d: Data, fused: boolean) {
  return tf.tidy(() => {
    const z = tf.tensor3d(d.z, [B, L, V]);
    const t = tf.tensor3d(d.t, [B, L, V]);
    const mask = tf.tensor2d(d.mask, [B, L]);
    const u = tf.tensor3d(d.u, [B, L, V]);
    const w = tf.tensor3d(d.w, [B, L, V]);
    const f = (a: tf.Tensor, b: tf.Tensor) => softCrossEntropy(a, b, mask, fused);
    const [gz, gt] = tf.grads(f)([z, t]);
    const [hz, ht] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.grads((c: tf.Tensor) => f(c, b))([a])[0], u)),
    )([z, t]);
    const [kz, kt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const [ga, gb] = tf.grads(f)([a, b]);
      return tf.add(tf.sum(tf.mul(ga, u)), tf.sum(tf.mul(gb, w)));
    })([z, t]);
    return [f(z, t), gz, gt, hz, ht, kz, kt].map((x) => Float32Array.from(x.dataSync()));
  });
}

const NAMES = ['loss', '∂/∂z', '∂/∂t', 'H·u in z', 'H·u in t', 'H·(u, w) in z', 'H·(u, w) in t'];
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe.each(backends)('soft-target cross-entropy (%s)', (backend) => {
  const fused = backend === 'wasm-native';

  beforeAll(async () => {
    await selectBackend(backend as 'cpu');
  });

  it(`${fused ? 'uses' : 'has no'} fused kernels`, () => {
    expect(fusedSoftCrossEntropyAvailable()).toBe(fused);
  });

  it('names mismatched shapes', () => {
    expect(() =>
      tf.tidy(() => softCrossEntropy(tf.zeros([2, 3, 5]), tf.zeros([2, 3, 4]), tf.ones([2, 3]))),
    ).toThrow('soft cross-entropy: logits [2,3,5] and targets [2,3,4] must have the same shape');
  });

  if (fused) {
    it('equals the composed log-softmax in value, gradients and Hessian-vector products', () => {
      const d = data(3);
      const kernels = evaluate(d, true);
      const composed = evaluate(d, false);
      kernels.forEach((x, i) => {
        expect([NAMES[i], maxRelDiff(x, composed[i]) < 1e-4]).toEqual([NAMES[i], true]);
      });
      expect(kernels[0].every(Number.isFinite)).toBe(true);
    });

    it('differentiates the gradient kernel in logits, targets and scale like autodiff of its formula', () => {
      const d = data(8);
      const run = (viaKernel: boolean) =>
        tf.tidy(() => {
          const z = tf.tensor2d(d.z, [B * L, V]);
          const t = tf.tensor2d(d.t, [B * L, V]);
          const y = tf.tensor1d(d.mask);
          const u = tf.tensor2d(d.u, [B * L, V]);
          const grad = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor => {
            if (viaKernel) {
              softCrossEntropy(a, b, c, true); // registers the kernels' gradients
              return tf.engine().runKernel('FarziSoftmaxSoftCrossEntropyGrad', {
                logits: a,
                targets: b,
                scale: c,
              }) as tf.Tensor;
            }
            const s = tf.sum(b, -1, true);
            return tf.mul(tf.sub(tf.mul(safeOps.softmax(a), s), b), tf.expandDims(c, -1));
          };
          const value = grad(z, t, y);
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
            tf.sum(tf.mul(grad(a, b, c), u)),
          )([z, t, y]);
          return [value, ...grads].map((x) => Float32Array.from(x.dataSync()));
        });
      const kernel = run(true);
      const reference = run(false);
      ['value', 'in logits', 'in targets', 'in scale'].forEach((name, i) => {
        expect([name, maxRelDiff(kernel[i], reference[i]) < 1e-4]).toEqual([name, true]);
      });
    });

    it('gives NaN, not a number, for NaN logits', () => {
      const d = data(4);
      d.z[5 * V + 2] = NaN;
      const loss = evaluate(d, true)[0];
      expect(Number.isNaN(loss[0])).toBe(true);
    });

    it('names the operand of the wrong shape (the kernels check theirs too)', () => {
      const [z, t, bad] = [tf.zeros([6, 5]), tf.zeros([6, 5]), tf.zeros([6, 4])];
      expect(() =>
        tf.engine().runKernel('FarziSoftmaxSoftCrossEntropy', { logits: z, targets: bad }),
      ).toThrow(
        /FarziSoftmaxSoftCrossEntropy: targets must be float32 \[6,5\], got float32 \[6,4\]/,
      );
      expect(() =>
        tf.engine().runKernel('FarziSoftmaxSoftCrossEntropyGradGrad', {
          logits: z,
          targets: t,
          scale: tf.zeros([5]),
          dy: z,
        }),
      ).toThrow(/scale must be float32 \[6\], got float32 \[5\]/);
      tf.dispose([z, t, bad]);
    });
  }

  it('matches central differences of the loss and of its gradient', () => {
    const d = data(11);
    const [, gz, gt, , , kz, kt] = evaluate(d, fused);
    const value = (z: Float32Array, t: Float32Array) =>
      tf.tidy(
        () =>
          softCrossEntropy(
            tf.tensor3d(z, [B, L, V]),
            tf.tensor3d(t, [B, L, V]),
            tf.tensor2d(d.mask, [B, L]),
            fused,
          ).dataSync()[0],
      );
    // The directional derivative along (u, w) of the loss, and of ⟨∇ℓ, (u, w)⟩ along (u, w).
    const h = 1e-2;
    const shifted = (sign: number) => ({
      z: d.z.map((v, i) => v + sign * h * d.u[i]),
      t: d.t.map((v, i) => v + sign * h * d.w[i]),
    });
    const plus = shifted(1);
    const minus = shifted(-1);
    const directional = dot(gz, d.u) + dot(gt, d.w);
    const fd = (value(plus.z, plus.t) - value(minus.z, minus.t)) / (2 * h);
    expect(Math.abs(fd - directional)).toBeLessThan(2e-3 * Math.max(1, Math.abs(directional)));
    const gradAt = (p: { z: Float32Array; t: Float32Array }) => {
      const [, gzp, gtp] = evaluate({ ...d, z: p.z, t: p.t }, fused);
      return dot(gzp, d.u) + dot(gtp, d.w);
    };
    const second = dot(kz, d.u) + dot(kt, d.w);
    const fd2 = (gradAt(plus) - gradAt(minus)) / (2 * h);
    expect(Math.abs(fd2 - second)).toBeLessThan(5e-3 * Math.max(1, Math.abs(second)));
  });

  it('leaks no tensors', () => {
    const d = data(5);
    evaluate(d, fused);
    const before = tf.memory().numTensors;
    evaluate(d, fused);
    expect(tf.memory().numTensors).toBe(before);
  });
});
