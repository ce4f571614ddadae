import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/selectBackend';
import { availableEmbeddedBackends } from '../backend/wasmNative';
import type { Params } from '../model/Model';
import { adamUpdate, fusedAdamAvailable } from './adam';
import { nativeKernelsAvailable } from '../backend/wasmNative';
import { createOptimizer, optimizerConfig } from './createOptimizer';
import type { Optimizer, OptimizerState } from './Optimizer';

// A small least-squares problem: loss(w, b) = mean((X w + b − y)²).
const X = () =>
  tf.tensor2d([
    [1, 2],
    [3, -1],
    [0.5, 0.5],
    [-2, 1],
  ]);
const Y = () => tf.tensor2d([[1], [0], [2], [-1]]);
const loss = (w: tf.Tensor, b: tf.Tensor) =>
  tf.mean(tf.square(tf.sub(tf.add(tf.matMul(X(), w), b), Y()))) as tf.Scalar;

function runFunctional(optimizer: Optimizer, steps: number): number[] {
  let params: Params = { w: tf.tensor2d([[0.1], [-0.2]]), b: tf.tensor1d([0.05]) };
  let state: OptimizerState = optimizer.init(params);
  for (let i = 0; i < steps; i++) {
    const prev = params;
    const prevState = state;
    const out = tf.tidy(() => {
      const { grads } = tf.valueAndGrads((w: tf.Tensor, b: tf.Tensor) => loss(w, b))([
        prev.w,
        prev.b,
      ]);
      const next = optimizer.step(prev, { w: grads[0], b: grads[1] }, prevState);
      return {
        params: next.params,
        slots: next.state.slots as unknown as tf.TensorContainer,
        step: next.state.step,
      };
    });
    params = out.params as Params;
    state = { step: out.step as number, slots: out.slots as unknown as OptimizerState['slots'] };
  }
  return [...params.w.dataSync(), ...params.b.dataSync()];
}

function runReference(optimizer: tf.Optimizer, steps: number): number[] {
  const w = tf.variable(tf.tensor2d([[0.1], [-0.2]]));
  const b = tf.variable(tf.tensor1d([0.05]));
  for (let i = 0; i < steps; i++) optimizer.minimize(() => loss(w, b), false, [w, b]);
  return [...w.dataSync(), ...b.dataSync()];
}

describe.each(availableEmbeddedBackends())('optimisers on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('functional Adam matches tf.train.adam step for step', () => {
    const ours = runFunctional(
      createOptimizer(optimizerConfig({ beta1: 0.8, beta2: 0.95, eps: 1e-7 }), 0.05),
      25,
    );
    const theirs = runReference(tf.train.adam(0.05, 0.8, 0.95, 1e-7), 25);
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 5));
  });

  it('SGD with momentum matches tf.train.momentum', () => {
    const ours = runFunctional(
      createOptimizer(optimizerConfig({ name: 'sgd', momentum: 0.9 }), 0.02),
      25,
    );
    const theirs = runReference(tf.train.momentum(0.02, 0.9), 25);
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 5));
  });

  it('applies decoupled weight decay, epsRoot and gradient clipping as specified', () => {
    const config = optimizerConfig({ weightDecay: 0.1, epsRoot: 1e-4, clipNorm: 1 });
    const opt = createOptimizer(config, 0.5);
    const params = { w: tf.tensor1d([2, -1]) };
    const grads = { w: tf.tensor1d([3, 4]) }; // norm 5 → clipped to [0.6, 0.8]
    const { params: next, state } = opt.step(params, grads, opt.init(params));
    // Hand computation at t = 1: m̂ = g, v̂ = g², update = g/(√(g² + 1e-4) + 1e-8) + 0.1 w.
    const expected = [0.6, 0.8].map((g, i) => {
      const w = [2, -1][i];
      return w - 0.5 * (g / (Math.sqrt(g * g + 1e-4) + 1e-8) + 0.1 * w);
    });
    Array.from(next.w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(state.step).toBe(1);
    expect(Array.from(state.slots.m.w.dataSync()).map((x) => +x.toFixed(5))).toEqual([0.06, 0.08]);
  });
});

const describeNative =
  nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1' ? describe : describe.skip;

describeNative('fused Adam (wasm-native)', () => {
  it('takes the same steps as the composed update, with weight decay and epsRoot', async () => {
    await selectBackend('wasm-native');
    expect(fusedAdamAvailable()).toBe(true);
    const hyper = {
      name: 'adam' as const,
      beta1: 0.8,
      beta2: 0.95,
      eps: 1e-6,
      epsRoot: 1e-7,
      weightDecay: 0.01,
      clipNorm: 0,
      momentum: 0,
    };
    const optimizer = createOptimizer(hyper, 0.05);
    let params: Params = { w: tf.randomNormal([3, 7], 0, 1, 'float32', 1) };
    let reference = { w: params.w.clone(), m: tf.zerosLike(params.w), v: tf.zerosLike(params.w) };
    let state = optimizer.init(params);
    for (let t = 1; t <= 5; t++) {
      const g = tf.randomNormal([3, 7], 0, 1, 'float32', 10 + t);
      const next = optimizer.step(params, { w: g }, state);
      const r = adamUpdate(reference.w, g, reference.m, reference.v, t, {
        learningRate: 0.05,
        ...hyper,
      });
      const diff = tf.max(tf.abs(tf.sub(next.params.w, r.w))).dataSync()[0];
      expect(diff).toBeLessThan(1e-6);
      expect(tf.max(tf.abs(tf.sub(next.state.slots.v.w, r.v))).dataSync()[0]).toBeLessThan(1e-6);
      params = next.params;
      state = next.state;
      reference = r;
    }
    await selectBackend('wasm');
    expect(fusedAdamAvailable()).toBe(false);
  });
});
