import * as tf from '@tensorflow/tfjs-core';
import { AdamHyper, adamUpdate, Model, Params } from '@farzi/core';
import { chunkLoss, lossOnSynthetic, SoftSequences, SyntheticData } from './softSequences';

/** A model's parameters as a list in a fixed name order (what `tf.grads` works with). */
export interface ParamList {
  readonly names: string[];
  readonly values: tf.Tensor[];
}

export function toList(params: Params): ParamList {
  const names = Object.keys(params).sort();
  return { names, values: names.map((n) => params[n]) };
}

export function toParams(names: string[], values: tf.Tensor[]): Params {
  const p: Params = {};
  names.forEach((n, i) => (p[n] = values[i]));
  return p;
}

/**
 * Inner (synthetic) loss as a function of the synthetic sequences' parameters: soft next-token
 * cross-entropy of the model on X[:, :−1] as inputs and X[:, 1:] as targets. Dropout is off so the
 * reverse pass can replay it. (The inner loop and the reverse pass decode X once per outer step
 * instead; this form is for the unrolled baseline and checks.)
 */
export function syntheticLoss(
  model: Model,
  params: Params,
  sequences: SoftSequences,
  parameters: Readonly<Record<string, tf.Tensor>>,
): tf.Scalar {
  const [mu, xi] = sequences.shape;
  const { inputs, targets } = sequences.decodeWith(parameters);
  return lossOnSynthetic(model, params, inputs, targets, tf.ones([mu, xi - 1]));
}

/** Adam state of the inner loop: parameters w, moments m and v, after `step` updates. */
export interface InnerState {
  readonly w: tf.Tensor[];
  readonly m: tf.Tensor[];
  readonly v: tf.Tensor[];
  readonly step: number;
}

export interface InnerOptions {
  readonly steps: number;
  readonly hyper: AdamHyper;
  /** Per-step learning rates α_1..α_T (a learned schedule); default: hyper.learningRate throughout. */
  readonly learningRates?: readonly number[];
  /** Keep (w, m, v) after every k-th step for the checkpointed reverse pass (0 = keep none). */
  readonly keepEvery?: number;
  /** Called after every step (memory probes in tests and benchmarks). */
  readonly onStep?: (step: number) => void;
}

/** The Adam hyper-parameters of inner step t (1-based), with the step's learning rate. */
export function stepHyper(
  options: { hyper: AdamHyper; learningRates?: readonly number[] },
  t: number,
): AdamHyper {
  const lr = options.learningRates?.[t - 1];
  return lr === undefined ? options.hyper : { ...options.hyper, learningRate: lr };
}

export function disposeInnerState(state: InnerState): void {
  tf.dispose([...state.w, ...state.m, ...state.v]);
}

/** ∇_w of the synthetic loss, summed over the chunks of the decoded data. */
export function syntheticGradient(
  model: Model,
  names: string[],
  w: tf.Tensor[],
  data: SyntheticData,
): tf.Tensor[] {
  const perChunk = data.map((chunk) =>
    tf.grads((...ws: tf.Tensor[]) => chunkLoss(model, toParams(names, ws), chunk))(w),
  );
  return perChunk.length === 1 ? perChunk[0] : w.map((_, i) => tf.addN(perChunk.map((g) => g[i])));
}

/**
 * Runs T steps of the shared functional Adam on the decoded synthetic data from `w0`, keeping only
 * the final state (and, if asked, every k-th state). The caller owns `w0` and `data`; everything
 * returned is new.
 */
export function runInnerLoop(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  data: SyntheticData,
  options: InnerOptions,
): { final: InnerState; kept: Map<number, InnerState> } {
  let state: InnerState = {
    w: w0.map((t) => tf.clone(t)),
    m: w0.map((t) => tf.zerosLike(t)),
    v: w0.map((t) => tf.zerosLike(t)),
    step: 0,
  };
  const kept = new Map<number, InnerState>();
  const keepEvery = options.keepEvery ?? 0;
  const keep = (s: InnerState) =>
    kept.set(s.step, {
      w: s.w.map((t) => tf.clone(t)),
      m: s.m.map((t) => tf.clone(t)),
      v: s.v.map((t) => tf.clone(t)),
      step: s.step,
    });
  if (keepEvery > 0) keep(state);
  for (let t = 1; t <= options.steps; t++) {
    const prev = state;
    const next = tf.tidy(() => {
      const grads = syntheticGradient(model, names, prev.w, data);
      const w: tf.Tensor[] = [];
      const m: tf.Tensor[] = [];
      const vv: tf.Tensor[] = [];
      grads.forEach((g, i) => {
        const r = adamUpdate(prev.w[i], g, prev.m[i], prev.v[i], t, stepHyper(options, t));
        w.push(r.w);
        m.push(r.m);
        vv.push(r.v);
      });
      return { w, m, v: vv };
    });
    disposeInnerState(prev);
    state = { ...next, step: t };
    if (keepEvery > 0 && t % keepEvery === 0 && t < options.steps) keep(state);
    options.onStep?.(t);
  }
  return { final: state, kept };
}
