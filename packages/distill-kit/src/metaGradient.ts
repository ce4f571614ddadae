import * as tf from '@tensorflow/tfjs-core';
import {
  AdamHyper,
  adamUpdate,
  Model,
  nextItemLoss,
  softCrossEntropy,
  sparseSoftmaxCrossEntropy,
  UserError,
} from '@farzi/core';
import { runInnerLoop, syntheticLoss, toParams } from './innerLoop';
import { logitsAt, RealBatch, realPositions } from './realData';
import { disposeSynthetic, SoftSequences } from './softSequences';
import { ReversePhases, reverseAdam, SecondOrderMethod } from './reverseAdam';

export interface MetaOptions {
  readonly steps: number;
  readonly hyper: AdamHyper;
  /** Per-step inner learning rates α_1..α_T (default: hyper.learningRate throughout). */
  readonly learningRates?: readonly number[];
  readonly method: SecondOrderMethod;
  /** Store the inner state every k steps and reset the reversal to it (0 = pure reversal). */
  readonly checkpointEvery: number;
  readonly fdEpsilon?: number;
  /** Synthetic sequences per product (0 = auto: see sequencesPerChunk). */
  readonly sequenceChunk?: number;
  readonly onStep?: (phase: 'forward' | 'reverse', step: number) => void;
}

export interface MetaResult {
  /** Outer loss L_real(w_T). */
  readonly loss: number;
  /** dL/d(parameters of the synthetic sequences), by name (Farzi: latent, decoder). */
  readonly grads: Record<string, tf.Tensor>;
  /** dL/dα_t for each inner step's learning rate (shape [T]), when `learningRates` were given. */
  readonly learningRates?: tf.Tensor;
  /** ‖ŵ₀ − w₀‖ / ‖w₀‖: how far the reversal drifted from the true start (float32 error). */
  readonly drift: number;
  /** Seconds spent: inner forward, real loss, reverse. */
  readonly seconds: { forward: number; real: number; reverse: number };
  /** The reverse pass by phase (seconds). */
  readonly reversePhases: ReversePhases;
}

/**
 * The outer objective on a real batch: the cross-entropy of the real next items, mixed with the
 * teacher's distributions (`teacher`), weighted per position (`weights`), plus the feature
 * alignment term (`features`).
 */
export function realLoss(
  model: Model,
  names: string[],
  w: tf.Tensor[],
  real: RealBatch,
): tf.Scalar {
  const loss = logitLoss(model, names, w, real);
  const features = real.features;
  if (!features || features.weight === 0) return loss;
  return tf.add(loss, tf.mul(featureDistance(model, names, w, real), features.weight)) as tf.Scalar;
}

/**
 * Mean over the real positions (weighted as the rest of the loss) of the mean squared difference
 * between the model's hidden states and the teacher's.
 */
export function featureDistance(
  model: Model,
  names: string[],
  w: tf.Tensor[],
  real: RealBatch,
): tf.Scalar {
  if (!model.hiddenStates) {
    throw new UserError(
      `feature alignment needs the model's hidden states, and the ${model.name} model does not expose them (Model.hiddenStates).`,
    );
  }
  const hidden = model.hiddenStates(toParams(names, w), real.inputs, { training: false });
  const d = hidden.shape[2];
  const positions = realPositions(real.targets);
  const rows = tf.gather(tf.reshape(hidden, [-1, d]), positions);
  const perRow = tf.mean(
    tf.square(tf.sub(rows, (real.features as { hidden: tf.Tensor }).hidden)),
    -1,
  );
  return weightedMean(perRow, real.weights ?? tf.ones([perRow.shape[0] as number]));
}

function logitLoss(model: Model, names: string[], w: tf.Tensor[], real: RealBatch): tf.Scalar {
  const params = toParams(names, w);
  const aligning = real.teacher !== undefined && real.teacher.weight > 0;
  if (!aligning && !real.weights) {
    return nextItemLoss(model, params, real.inputs, real.targets, { training: false });
  }
  // Both terms cover the real positions only (padding excluded), as rows of [N, |V|]: on a large
  // catalogue with short histories the [B·L, |V|] loss gradients would be several times larger.
  const positions = realPositions(real.targets);
  const rows = logitsAt(model, params, real.inputs, positions);
  const weights = real.weights ?? tf.ones([rows.shape[0]]);
  const items = tf.gather(tf.reshape(real.targets, [-1]), positions);
  const observed = weightedMean(sparseSoftmaxCrossEntropy(rows, items), weights);
  if (!real.teacher || !aligning) return observed;
  const { probabilities, weight } = real.teacher;
  const aligned = softCrossEntropy(rows, probabilities, weights);
  return tf.add(tf.mul(observed, 1 - weight), tf.mul(aligned, weight)) as tf.Scalar;
}

function weightedMean(values: tf.Tensor, weights: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, weights)), tf.maximum(tf.sum(weights), 1e-8)) as tf.Scalar;
}

/**
 * The meta-gradient of a bi-level distillation: run T inner Adam steps on the decoded synthetic
 * sequences from w₀, take the real-data loss at w_T, and differentiate it w.r.t. the sequences'
 * parameters by reverse-mode Adam (memory independent of T). The caller keeps ownership of w₀ and
 * the parameters.
 */
export function metaGradient(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  sequences: SoftSequences,
  real: RealBatch,
  options: MetaOptions,
): MetaResult {
  const t0 = Date.now();
  // X does not change within an outer step: decode it once for both passes.
  const synthetic = sequences.decode(options.sequenceChunk);
  const { final, kept } = runInnerLoop(model, names, w0, synthetic, {
    steps: options.steps,
    hyper: options.hyper,
    learningRates: options.learningRates,
    keepEvery: options.checkpointEvery,
    onStep: (s) => options.onStep?.('forward', s),
  });
  const t1 = Date.now();
  const { value, grads } = tf.tidy(() =>
    tf.valueAndGrads((...ws: tf.Tensor[]) => realLoss(model, names, ws, real))(final.w),
  );
  const loss = value.dataSync()[0];
  value.dispose();
  const t2 = Date.now();
  const meta = reverseAdam(model, names, final, grads, sequences, synthetic, {
    hyper: options.hyper,
    learningRates: options.learningRates,
    method: options.method,
    kept,
    fdEpsilon: options.fdEpsilon,
    onStep: (s) => options.onStep?.('reverse', s),
  });
  const drift = tf.tidy(() => {
    const diff = tf.addN(meta.reconstructedW0.map((r, i) => tf.sum(tf.square(tf.sub(r, w0[i])))));
    const norm = tf.addN(w0.map((x) => tf.sum(tf.square(x))));
    return tf.sqrt(tf.div(diff, tf.maximum(norm, 1e-30)));
  });
  const driftValue = drift.dataSync()[0];
  tf.dispose([drift, ...meta.reconstructedW0, ...meta.w0]);
  disposeSynthetic(synthetic);
  if (!options.learningRates) meta.learningRates.dispose();
  const t3 = Date.now();
  return {
    loss,
    grads: meta.grads,
    learningRates: options.learningRates ? meta.learningRates : undefined,
    drift: driftValue,
    seconds: { forward: (t1 - t0) / 1000, real: (t2 - t1) / 1000, reverse: (t3 - t2) / 1000 },
    reversePhases: meta.phases,
  };
}

/** The outer objective alone (inner loop + real loss), for finite-difference checks. */
export function outerObjective(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  sequences: SoftSequences,
  real: RealBatch,
  steps: number,
  hyper: AdamHyper,
  learningRates?: readonly number[],
): number {
  const batch = sequences.decode();
  const { final } = runInnerLoop(model, names, w0, batch, { steps, hyper, learningRates });
  disposeSynthetic(batch);
  const loss = tf.tidy(() => realLoss(model, names, final.w, real).dataSync()[0]);
  tf.dispose([...final.w, ...final.m, ...final.v]);
  return loss;
}

/**
 * Unrolled autograd through the same T steps (the O(T)-memory baseline the reverse mode replaces):
 * the whole inner loop is recorded on the tape and differentiated at once.
 */
export function unrolledMetaGradient(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  sequences: SoftSequences,
  real: RealBatch,
  steps: number,
  hyper: AdamHyper,
  onStep?: (step: number) => void,
): { loss: number; grads: Record<string, tf.Tensor> } {
  const keys = Object.keys(sequences.parameters);
  const out = tf.tidy(() => {
    const f = (...values: tf.Tensor[]): tf.Scalar => {
      const parameters = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
      let w = w0;
      let m = w0.map((x) => tf.zerosLike(x));
      let v = w0.map((x) => tf.zerosLike(x));
      for (let t = 1; t <= steps; t++) {
        const g = tf.grads((...ws: tf.Tensor[]) =>
          syntheticLoss(model, toParams(names, ws), sequences, parameters),
        )(w);
        const next = g.map((gi, i) => adamUpdate(w[i], gi, m[i], v[i], t, hyper));
        w = next.map((r) => r.w);
        m = next.map((r) => r.m);
        v = next.map((r) => r.v);
        onStep?.(t);
      }
      return realLoss(model, names, w, real);
    };
    const { value, grads } = tf.valueAndGrads(f)(keys.map((k) => sequences.parameters[k]));
    return { value, grads };
  });
  const loss = out.value.dataSync()[0];
  out.value.dispose();
  return { loss, grads: Object.fromEntries(keys.map((k, i) => [k, out.grads[i]])) };
}
