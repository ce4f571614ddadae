import * as tf from '@tensorflow/tfjs-core';
import {
  Batch,
  batchLoss,
  createOptimizer,
  disposeState,
  ExperimentConfig,
  Model,
  Params,
} from '@farzi/core';

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface KernelShare {
  readonly name: string;
  readonly ms: number;
  /** Share of the wall time. */
  readonly share: number;
}

export interface ProfileSplit {
  readonly wallMs: number;
  readonly kernelMs: number;
  /** kernelMs / wallMs. */
  readonly kernelShare: number;
  readonly kernelCalls: number;
  readonly topKernels: KernelShare[];
}

/**
 * Runs `f` once under `tf.profile` and splits its wall time into time inside kernels (as the
 * backend reports it) and the rest (dispatch, autodiff tape, allocation, JS). `f` must leave no
 * tensors behind and force its results (e.g. dataSync).
 */
export async function profileSplit(f: () => void): Promise<ProfileSplit> {
  let wallMs = 0;
  const info = await tf.profile(() => {
    const t0 = performance.now();
    f();
    wallMs = performance.now() - t0;
  });
  const byName = new Map<string, number>();
  let kernelMs = 0;
  const backend = tf.getBackend();
  let kernelCalls = 0;
  for (const k of info.kernels) {
    // tf.profile also lists gradient scopes and custom ops (e.g. "forward", "backward", "unnamed
    // scope") whose times include the kernels they run: count registered kernels only.
    if (!tf.getKernel(k.name, backend)) continue;
    kernelCalls++;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += ms;
    byName.set(k.name, (byName.get(k.name) ?? 0) + ms);
  }
  const topKernels = [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, ms]) => ({ name, ms, share: ms / wallMs }));
  return {
    wallMs,
    kernelMs,
    kernelShare: kernelMs / wallMs,
    kernelCalls,
    topKernels,
  };
}

/** One training step as the Trainer does it (loss, gradients, optimiser update), results forced. */
export function batchLossStep(
  model: Model,
  params: Params,
  batch: Batch,
  config: ExperimentConfig,
): void {
  const optimizer = createOptimizer(config.train.optimizer, config.train.learningRate);
  const state = optimizer.init(params);
  const names = Object.keys(params);
  tf.tidy(() => {
    const f = (...tensors: tf.Tensor[]): tf.Scalar => {
      const p: Params = {};
      names.forEach((n, i) => (p[n] = tensors[i]));
      return batchLoss(model, p, batch, true, 1);
    };
    const { value, grads } = tf.valueAndGrads(f)(names.map((n) => params[n]));
    const g: Params = {};
    names.forEach((n, i) => (g[n] = grads[i]));
    optimizer.step(params, g, state);
    value.dataSync();
  });
  disposeState(state);
}
