import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/selectBackend';
import { availableEmbeddedBackends, nativeKernelsAvailable } from '../backend/wasmNative';
import { AdamHyper, adamUpdate, fusedAdamKernel } from './adam';
import { adamAdjoint, adamRestore } from './adamReverse';

const HYPERS: AdamHyper[] = [
  { learningRate: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, epsRoot: 0, weightDecay: 0 },
  { learningRate: 0.05, beta1: 0.8, beta2: 0.95, eps: 1e-6, epsRoot: 1e-7, weightDecay: 0.01 },
];

const rand = (shape: number[], seed: number, scale = 1) =>
  tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale);

/** A state after `t` Adam steps from random w₀ with random gradients (positive second moments). */
function stateAt(shape: number[], t: number, h: AdamHyper, seed: number) {
  let w = rand(shape, seed);
  let m = tf.zerosLike(w);
  let v = tf.zerosLike(w);
  for (let s = 1; s <= t; s++) {
    const r = adamUpdate(w, rand(shape, seed + s, 0.3), m, v, s, h);
    tf.dispose([w, m, v]);
    ({ w, m, v } = r);
  }
  return { w, m, v };
}

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

describe.each(availableEmbeddedBackends())('reversing an Adam step on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(HYPERS.map((h, i) => [i, h] as const))(
    'inverts the update and carries the adjoints as autodiff does (hyper %i)',
    (_, h) => {
      tf.tidy(() => {
        const shape = [4, 6];
        const t = 3;
        const before = stateAt(shape, t - 1, h, 11);
        const g = rand(shape, 99, 0.3);
        const after = adamUpdate(before.w, g, before.m, before.v, t, h);
        const [dw, dm, dv] = [rand(shape, 1), rand(shape, 2, 0.1), rand(shape, 3, 0.1)];
        const a = adamAdjoint(after.w, after.m, after.v, dw, dm, dv, t, h);
        expect(maxAbs(a.previous, before.w)).toBeLessThan(1e-5);
        // ∂⟨dw, w_t⟩/∂(m_t, v_t) by autodiff of the update written as a function of the moments.
        const c1 = 1 - Math.pow(h.beta1, t);
        const c2 = 1 - Math.pow(h.beta2, t);
        const wOf = (mt: tf.Tensor, vt: tf.Tensor) =>
          tf.sum(
            tf.mul(
              dw,
              tf.sub(
                tf.mul(before.w, 1 - h.learningRate * h.weightDecay),
                tf.mul(
                  tf.div(tf.div(mt, c1), tf.add(tf.sqrt(tf.add(tf.div(vt, c2), h.epsRoot)), h.eps)),
                  h.learningRate,
                ),
              ),
            ),
          ) as tf.Scalar;
        const [gm, gv] = tf.grads(wOf)([after.m, after.v]);
        expect(maxAbs(a.dm, tf.add(dm, gm))).toBeLessThan(1e-5);
        expect(maxAbs(a.dv, tf.add(dv, gv))).toBeLessThan(1e-3 * tf.max(tf.abs(gv)).dataSync()[0]);
        // −Σ alpha = dL/dα_t: the derivative of ⟨dw, w_t⟩ in the learning rate (central difference).
        const at = (lr: number) =>
          tf
            .sum(
              tf.mul(
                dw,
                adamUpdate(before.w, g, before.m, before.v, t, { ...h, learningRate: lr }).w,
              ),
            )
            .dataSync()[0];
        const e = 1e-3 * h.learningRate;
        const fd = (at(h.learningRate + e) - at(h.learningRate - e)) / (2 * e);
        expect(-tf.sum(a.alpha).dataSync()[0]).toBeCloseTo(fd, 1);
        // The second half recovers the moments before the step and the adjoints before it.
        const hw = rand(shape, 4);
        const r = adamRestore(after.m, after.v, g, dw, hw, a.dm, a.dv, t, h);
        expect(maxAbs(r.m, before.m)).toBeLessThan(1e-6);
        expect(maxAbs(r.v, before.v)).toBeLessThan(1e-6);
        const decay = 1 - h.learningRate * h.weightDecay;
        expect(maxAbs(r.dw, tf.add(tf.mul(dw, decay), hw))).toBeLessThan(1e-6);
        expect(maxAbs(r.dm, tf.mul(a.dm, h.beta1))).toBe(0);
        expect(maxAbs(r.dv, tf.mul(a.dv, h.beta2))).toBe(0);
      });
    },
  );

  it('uses a stored w_{t−1} instead of the inversion', () => {
    tf.tidy(() => {
      const h = HYPERS[1];
      const s = stateAt([5], 2, h, 5);
      const stored = rand([5], 77);
      const z = tf.zeros([5]);
      const a = adamAdjoint(s.w, s.m, s.v, z, z, z, 2, h, stored);
      expect(Array.from(a.previous.dataSync())).toEqual(Array.from(stored.dataSync()));
    });
  });
});

const describeNative =
  nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1' ? describe : describe.skip;

describeNative('the fused Adam kernels (wasm-native) against the composed ops', () => {
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array(t.dataSync().slice().buffer));
  const FUSED = ['FarziAdamUpdateExact', 'FarziAdamAdjoint', 'FarziAdamRestore'];
  /** Runs `f` with the fused kernels, then with them unregistered (the composed ops), and compares. */
  function bitForBit(f: () => tf.Tensor[]) {
    const fused = tf.tidy(() => f().map(bits));
    const configs = FUSED.map((name) => tf.getKernel(name, 'wasm') as tf.KernelConfig);
    FUSED.forEach((name) => tf.unregisterKernel(name, 'wasm'));
    let composed: number[][];
    try {
      expect(fusedAdamKernel('adamAdjoint')).toBeUndefined();
      composed = tf.tidy(() => f().map(bits));
    } finally {
      configs.forEach((config) => tf.registerKernel(config));
    }
    expect(fused.length).toBe(composed.length);
    fused.forEach((values, i) => expect(values).toEqual(composed[i]));
  }

  beforeAll(async () => {
    await selectBackend('wasm-native');
  });

  it('registers them, and leaves them out while a tape records', () => {
    expect(fusedAdamKernel('adamUpdateExact')).toBeDefined();
    expect(fusedAdamKernel('adamAdjoint')).toBeDefined();
    expect(fusedAdamKernel('adamRestore')).toBeDefined();
    tf.grads((x: tf.Tensor) => {
      expect(fusedAdamKernel('adamAdjoint')).toBeUndefined();
      return tf.sum(x) as tf.Scalar;
    })([tf.ones([2])]);
  });

  it.each(HYPERS.flatMap((h, i) => [1, 7].map((t) => [i, t, h] as const)))(
    'equal bit for bit: the update, both halves of its reversal (hyper %i, step %i)',
    (_, t, h) => {
      const shape = [37, 29]; // not a multiple of any vector width
      const s = tf.tidy(() => stateAt(shape, t - 1, h, 21));
      const g = rand(shape, 5, 0.3);
      const [dw, dm, dv, hw] = [rand(shape, 6), rand(shape, 7), rand(shape, 8), rand(shape, 9)];
      bitForBit(() => Object.values(adamUpdate(s.w, g, s.m, s.v, t, h)));
      const after = tf.tidy(() => adamUpdate(s.w, g, s.m, s.v, t, h));
      bitForBit(() => Object.values(adamAdjoint(after.w, after.m, after.v, dw, dm, dv, t, h)));
      bitForBit(() => Object.values(adamRestore(after.m, after.v, g, dw, hw, dm, dv, t, h)));
      tf.dispose([s.w, s.m, s.v, g, dw, dm, dv, hw, after.w, after.m, after.v]);
    },
  );

  it('rejects operands of different shapes or dtypes, naming them', () => {
    const w = tf.zeros([3]);
    expect(() =>
      tf.engine().runKernel(
        'FarziAdamRestore',
        {
          m: w,
          v: w,
          g: tf.zeros([4]),
          dw: w,
          hw: w,
          dmT: w,
          dvT: w,
        },
        {
          learningRate: 0.1,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          epsRoot: 0,
          weightDecay: 0,
          t: 1,
        },
      ),
    ).toThrow(/g must be float32 \[3\] like m, got float32 \[4\]/);
  });
});
