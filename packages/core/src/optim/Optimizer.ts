import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../config/ExperimentConfig';
import type { Params } from '../model/Model';

/** Optimiser state: the step count and per-parameter slot tensors (Adam: m, v; SGD: velocity). */
export interface OptimizerState {
  readonly step: number;
  readonly slots: Readonly<Record<string, Params>>;
}

/**
 * A pure optimiser: `init(params) → state`, `step(params, grads, state) → {params, state}`. Nothing
 * is mutated or disposed; the caller owns every tensor (wrap a step in `tf.tidy` and keep results).
 */
export interface Optimizer {
  readonly config: Readonly<OptimizerConfig>;
  readonly learningRate: number;
  init(params: Params): OptimizerState;
  step(
    params: Params,
    grads: Params,
    state: OptimizerState,
  ): { params: Params; state: OptimizerState };
}

/** Scales gradients so that their global L2 norm is at most `clipNorm` (0 = off); no host sync. */
export function clipByGlobalNorm(grads: Params, clipNorm: number): Params {
  if (!(clipNorm > 0)) return grads;
  const names = Object.keys(grads);
  const squared = tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))));
  const norm = tf.sqrt(squared);
  const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
  const out: Params = {};
  for (const n of names) out[n] = tf.mul(grads[n], scale);
  return out;
}

export function disposeState(state: OptimizerState): void {
  for (const slot of Object.values(state.slots)) tf.dispose(Object.values(slot));
}

export function zerosLikeParams(params: Params): Params {
  const out: Params = {};
  for (const [n, p] of Object.entries(params)) out[n] = tf.zerosLike(p);
  return out;
}
