import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsAvailable } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import { Rng } from '../random/Rng';
import { maxRelDiff } from '../testing/numeric';
import { fusedMaskedSoftmaxAvailable, maskedSoftmax } from './maskedSoftmax';
import * as safeOps from './safeOps';

// Attention's masked softmax: the fused kernels of wasm-native (softmax, gradient and the
// gradient's gradient, one call each) against the composed ops (autodiff through them, to second
// order) on the same backend, and both against central differences; the composed path on cpu and
// wasm too. CI sets FARZI_REQUIRE_NATIVE=1.
const native = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const backends = native ? ['cpu', 'wasm', 'wasm-native'] : ['cpu', 'wasm'];

const R = 3; // batch × heads
const L = 6;
const TAU = Math.sqrt(8);

interface Data {
  x: Float32Array;
  bias: Float32Array;
  w: Float32Array;
  u: Float32Array;
  v: Float32Array;
}

function data(seed: number): Data {
  const rng = new Rng(seed);
  const n = R * L * L;
  const x = Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 8);
  // One query's scores shifted far up: a naive exp would overflow.
  for (let k = 0; k < L; k++) x[2 * L + k] += 400;
  // Causal, with key 1 of the second sequence padding (attended only by itself), as layers.ts builds it.
  const bias = new Float32Array(n).fill(-1e9);
  for (let r = 0; r < R; r++) {
    for (let q = 0; q < L; q++) {
      for (let k = 0; k <= q; k++) {
        if (k === q || !(r === 1 && k === 1)) bias[r * L * L + q * L + k] = 0;
      }
    }
  }
  const draw = () => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  return { x, bias, w: draw(), u: draw(), v: draw() };
}

/**
 * f(x, w) = Σ softmax(x/τ + b)·w (w: the cotangent attention's next product sends back), its
 * gradients, and the Hessian-vector products of ⟨∇x f, u⟩ in x and w (what the Farzi reverse
 * pass takes through attention) and of ⟨∇x f, u⟩ + ⟨∇w f, v⟩.
 */
function evaluate(d: Data, fused: boolean) {
  return tf.tidy(() => {
    const shape: [number, number, number] = [R, L, L];
    const x = tf.tensor3d(d.x, shape);
    const w = tf.tensor3d(d.w, shape);
    const bias = tf.tensor3d(d.bias, shape);
    const u = tf.tensor3d(d.u, shape);
    const v = tf.tensor3d(d.v, shape);
    const p = (a: tf.Tensor) => maskedSoftmax(a, bias, TAU, fused);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(p(a), b));
    const [gx, gw] = tf.grads(f)([x, w]);
    const [hx, hw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.grads((c: tf.Tensor) => f(c, b))([a])[0], u)),
    )([x, w]);
    const [kx, kw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
      const [ga, gb] = tf.grads(f)([a, b]);
      return tf.add(tf.sum(tf.mul(ga, u)), tf.sum(tf.mul(gb, v)));
    })([x, w]);
    return [p(x), gx, gw, hx, hw, kx, kw].map((t) => Float32Array.from(t.dataSync()));
  });
}

const NAMES = ['p', '∂/∂x', '∂/∂w', 'H·u in x', 'H·u in w', 'H·(u, v) in x', 'H·(u, v) in w'];
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe.each(backends)('masked softmax (%s)', (backend) => {
  const fused = backend === 'wasm-native';

  beforeAll(async () => {
    await selectBackend(backend as 'cpu');
  });

  it(`${fused ? 'uses' : 'has no'} fused kernels`, () => {
    expect(fusedMaskedSoftmaxAvailable()).toBe(fused);
  });

  it('names a mask of another shape and a temperature that is not positive', () => {
    expect(() => tf.tidy(() => maskedSoftmax(tf.zeros([2, 3, 3]), tf.zeros([2, 3, 4]), 1))).toThrow(
      'masked softmax: scores [2,3,3] and mask [2,3,4] must have the same shape',
    );
    expect(() => tf.tidy(() => maskedSoftmax(tf.zeros([2, 3]), tf.zeros([2, 3]), 0))).toThrow(
      'masked softmax: temperature must be a finite number > 0, got 0',
    );
  });

  it('puts no weight on masked keys and sums to 1 per query', () => {
    const d = data(5);
    const p = evaluate(d, fused)[0];
    for (let row = 0; row < R * L; row++) {
      let sum = 0;
      for (let k = 0; k < L; k++) {
        const i = row * L + k;
        if (d.bias[i] < 0) expect(p[i]).toBe(0);
        sum += p[i];
      }
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    }
  });

  if (fused) {
    it('equals the composed ops in value, gradients and Hessian-vector products', () => {
      const d = data(3);
      const kernels = evaluate(d, true);
      const composed = evaluate(d, false);
      kernels.forEach((t, i) => {
        expect([NAMES[i], maxRelDiff(t, composed[i]) < 1e-4]).toEqual([NAMES[i], true]);
      });
    });

    it('differentiates the gradient kernel in x and dy like autodiff of its formula', () => {
      const d = data(8);
      const run = (viaKernel: boolean) =>
        tf.tidy(() => {
          const shape: [number, number, number] = [R, L, L];
          const [x, a, bias, u] = [d.x, d.w, d.bias, d.u].map((t) => tf.tensor3d(t, shape));
          const grad = (s: tf.Tensor, dy: tf.Tensor): tf.Tensor => {
            if (viaKernel) {
              maskedSoftmax(s, bias, TAU, true); // registers the kernels' gradients
              return tf
                .engine()
                .runKernel(
                  'FarziSoftmaxRowsGrad',
                  { x: s, bias, dy },
                  { temperature: TAU },
                ) as tf.Tensor;
            }
            const p = safeOps.softmax(tf.add(tf.div(s, TAU), bias));
            return tf.div(tf.mul(p, tf.sub(dy, tf.sum(tf.mul(p, dy), -1, true))), TAU);
          };
          const value = grad(x, a);
          const grads = tf.grads((s: tf.Tensor, dy: tf.Tensor) => tf.sum(tf.mul(grad(s, dy), u)))([
            x,
            a,
          ]);
          return [value, ...grads].map((t) => Float32Array.from(t.dataSync()));
        });
      const kernel = run(true);
      const reference = run(false);
      ['value', 'in x', 'in dy'].forEach((name, i) => {
        expect([name, maxRelDiff(kernel[i], reference[i]) < 1e-4]).toEqual([name, true]);
      });
    });

    it('runs without a mask as softmax(x/τ)', () => {
      const d = data(6);
      const [kernel, reference] = tf.tidy(() => {
        const x = tf.tensor2d(d.x, [R * L, L]);
        return [
          tf.engine().runKernel('FarziSoftmaxRows', { x }, { temperature: 2 }) as tf.Tensor,
          safeOps.softmax(tf.div(x, 2)),
        ].map((t) => Float32Array.from(t.dataSync()));
      });
      expect(maxRelDiff(kernel, reference)).toBeLessThan(1e-5);
    });

    it('gives NaN for a query whose scores hold NaN, and only there', () => {
      const d = data(4);
      d.x[4 * L + 2] = NaN;
      const p = evaluate(d, true)[0];
      expect(p.slice(4 * L, 5 * L).every(Number.isNaN)).toBe(true);
      expect([...p.slice(0, 4 * L), ...p.slice(5 * L)].every(Number.isFinite)).toBe(true);
    });

    it('names the operand of the wrong shape and a bad temperature (the kernels check theirs)', () => {
      const [x, bad] = [tf.zeros([4, 5]), tf.zeros([4, 6])];
      expect(() =>
        tf.engine().runKernel('FarziSoftmaxRowsGrad', { x, dy: bad }, { temperature: 1 }),
      ).toThrow(/FarziSoftmaxRowsGrad: dy must be float32 \[4,5\], got float32 \[4,6\]/);
      expect(() =>
        tf
          .engine()
          .runKernel('FarziSoftmaxRowsGradGrad', { x, bias: x, dy: x }, { temperature: 1 }),
      ).toThrow(/inputs x, dy and cotangent are required/);
      expect(() => tf.engine().runKernel('FarziSoftmaxRows', { x }, { temperature: -1 })).toThrow(
        /FarziSoftmaxRows: temperature must be a finite number > 0, got -1/,
      );
      tf.dispose([x, bad]);
    });
  }

  it('matches central differences of f and of its gradient', () => {
    const d = data(11);
    const [, gx, gw, , , kx, kw] = evaluate(d, fused);
    const value = (x: Float32Array, w: Float32Array) =>
      tf.tidy(() => {
        const shape: [number, number, number] = [R, L, L];
        const p = maskedSoftmax(tf.tensor3d(x, shape), tf.tensor3d(d.bias, shape), TAU, fused);
        return tf.sum(tf.mul(p, tf.tensor3d(w, shape))).dataSync()[0];
      });
    // The directional derivative along (u, v) of f, and of ⟨∇f, (u, v)⟩ along (u, v).
    const h = 1e-2;
    const shifted = (sign: number) => ({
      x: d.x.map((t, i) => t + sign * h * d.u[i]),
      w: d.w.map((t, i) => t + sign * h * d.v[i]),
    });
    const plus = shifted(1);
    const minus = shifted(-1);
    const directional = dot(gx, d.u) + dot(gw, d.v);
    const fd = (value(plus.x, plus.w) - value(minus.x, minus.w)) / (2 * h);
    expect(Math.abs(fd - directional)).toBeLessThan(2e-3 * Math.max(1, Math.abs(directional)));
    const gradAt = (q: { x: Float32Array; w: Float32Array }) => {
      const [, gxq, gwq] = evaluate({ ...d, x: q.x, w: q.w }, fused);
      return dot(gxq, d.u) + dot(gwq, d.v);
    };
    const second = dot(kx, d.u) + dot(kw, d.v);
    const fd2 = (gradAt(plus) - gradAt(minus)) / (2 * h);
    expect(Math.abs(fd2 - second)).toBeLessThan(5e-3 * Math.max(1, Math.abs(second)));
  });

  it('leaks no tensors through a Hessian-vector product', () => {
    const d = data(2);
    evaluate(d, fused); // registers gradients and warms the backend
    const before = tf.memory().numTensors;
    evaluate(d, fused);
    expect(tf.memory().numTensors).toBe(before);
  });
});
