import * as tf from '@tensorflow/tfjs-core';
import { backendHasKernels, fusedKernelNames } from '../backend/fusedKernels';
import type { OptimizerConfig } from '../config/ExperimentConfig';
import type { Params } from '../model/Model';
import { clipByGlobalNorm, Optimizer, OptimizerState, zerosLikeParams } from './Optimizer';

/** Hyper-parameters of one Adam step that the Farzi reverse pass needs too. */
export interface AdamHyper {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly epsRoot: number;
  readonly weightDecay: number;
}

/**
 * The update of one parameter at step t (1-based), written once so the trainer, the Farzi inner
 * loop and its reversal use the same arithmetic:
 *   m = β1 m + (1−β1) g,  v = β2 v + (1−β2) g²,  m̂ = m/(1−β1ᵗ),  v̂ = v/(1−β2ᵗ)
 *   w = w − α (m̂ / (√(v̂ + ε_root) + ε) + λ w)      (λ: decoupled weight decay)
 * When nothing records it for gradients and the backend has the exact fused kernel (wasm-native),
 * one kernel computes the same float32 operations in the same order (equal bit for bit).
 */
export function adamUpdate(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  t: number,
  h: AdamHyper,
): { w: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const fused = fusedAdamKernel('adamUpdateExact');
  if (fused) {
    const [w1, m1, v1] = tf
      .engine()
      .runKernel(fused, { w, g, m, v }, adamAttrs(h, t)) as tf.Tensor[];
    return { w: w1, m: m1, v: v1 };
  }
  return composedAdamUpdate(w, g, m, v, t, h);
}

function composedAdamUpdate(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  t: number,
  h: AdamHyper,
): { w: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const m1 = tf.add(tf.mul(m, h.beta1), tf.mul(g, 1 - h.beta1));
  const v1 = tf.add(tf.mul(v, h.beta2), tf.mul(tf.square(g), 1 - h.beta2));
  const mHat = tf.div(m1, 1 - Math.pow(h.beta1, t));
  const vHat = tf.div(v1, 1 - Math.pow(h.beta2, t));
  const root = h.epsRoot > 0 ? tf.sqrt(tf.add(vHat, h.epsRoot)) : tf.sqrt(vHat);
  let update = tf.div(mHat, tf.add(root, h.eps));
  if (h.weightDecay > 0) update = tf.add(update, tf.mul(w, h.weightDecay));
  return { w: tf.sub(w, tf.mul(update, h.learningRate)), m: m1, v: v1 };
}

/** The attributes of the fused Adam kernels. */
export function adamAttrs(h: AdamHyper, t: number): tf.NamedAttrMap {
  return {
    learningRate: h.learningRate,
    beta1: h.beta1,
    beta2: h.beta2,
    eps: h.eps,
    epsRoot: h.epsRoot,
    weightDecay: h.weightDecay,
    t,
  };
}

/**
 * The name of a fused Adam kernel when the current backend registered it and no tape records (the
 * kernels have no gradients); undefined otherwise (the composed ops run).
 */
export function fusedAdamKernel(
  role: 'adamUpdateExact' | 'adamAdjoint' | 'adamRestore',
): string | undefined {
  if (tf.engine().isTapeOn()) return undefined;
  const name = fusedKernelNames()?.[role];
  return name !== undefined && backendHasKernels(name) ? name : undefined;
}

/** Whether the current backend registered the fused Adam kernel (wasm-native does). */
export function fusedAdamAvailable(): boolean {
  const names = fusedKernelNames();
  return names !== undefined && backendHasKernels(names.adamUpdate);
}

/** `adamUpdate` through the backend's fused kernel (not differentiable). */
function fusedAdamUpdate(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  t: number,
  h: AdamHyper,
): { w: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const names = fusedKernelNames() as NonNullable<ReturnType<typeof fusedKernelNames>>;
  const [w1, m1, v1] = tf
    .engine()
    .runKernel(names.adamUpdate, { w, g, m, v }, adamAttrs(h, t)) as tf.Tensor[];
  return { w: w1, m: m1, v: v1 };
}

export function adam(config: OptimizerConfig, learningRate: number): Optimizer {
  const hyper: AdamHyper = { learningRate, ...config };
  return {
    config,
    learningRate,
    init: (params) => ({
      step: 0,
      slots: { m: zerosLikeParams(params), v: zerosLikeParams(params) },
    }),
    step(params, rawGrads, state) {
      const grads = clipByGlobalNorm(rawGrads, config.clipNorm);
      const t = state.step + 1;
      // The backend's fused kernel (wasm-native) when nothing records this update for gradients
      // (the trainer; the Farzi inner loop differentiates its own way): one call per parameter
      // instead of a dozen elementwise ops.
      const fused = !tf.engine().isTapeOn() && fusedAdamAvailable();
      const next: Params = {};
      const m: Params = {};
      const v: Params = {};
      for (const name of Object.keys(params)) {
        const g = grads[name];
        if (!g) throw new Error(`no gradient for parameter "${name}"`);
        const r = fused
          ? fusedAdamUpdate(params[name], g, state.slots.m[name], state.slots.v[name], t, hyper)
          : composedAdamUpdate(params[name], g, state.slots.m[name], state.slots.v[name], t, hyper);
        next[name] = r.w;
        m[name] = r.m;
        v[name] = r.v;
      }
      const nextState: OptimizerState = { step: t, slots: { m, v } };
      return { params: next, state: nextState };
    },
  };
}
