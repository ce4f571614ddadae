import type * as tf from '@tensorflow/tfjs-core';
import type { AdamHyper, Model } from '@farzi/core';
import {
  metaGradient,
  MetaOptions,
  MetaResult,
  outerObjective,
  RealBatch,
  unrolledMetaGradient,
} from '@farzi/distill-kit';
import { farziSequences, InnerData } from './synthetic';

/** The meta-gradient w.r.t. Farzi's F and M (`metaGradient` on `farziSequences(data)`). */
export function farziMetaGradient(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  data: InnerData,
  real: RealBatch,
  options: MetaOptions,
): MetaResult & { latent: tf.Tensor; decoder: tf.Tensor } {
  const result = metaGradient(model, names, w0, farziSequences(data), real, options);
  return { ...result, latent: result.grads.latent, decoder: result.grads.decoder };
}

/** Unrolled autograd w.r.t. F and M through the same T steps (the reference). */
export function unrolledFarziMetaGradient(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  data: InnerData,
  real: RealBatch,
  steps: number,
  hyper: AdamHyper,
  onStep?: (step: number) => void,
): { loss: number; latent: tf.Tensor; decoder: tf.Tensor } {
  const r = unrolledMetaGradient(
    model,
    names,
    w0,
    farziSequences(data),
    real,
    steps,
    hyper,
    onStep,
  );
  return { loss: r.loss, latent: r.grads.latent, decoder: r.grads.decoder };
}

/** The outer objective at Farzi Data (F, M), for finite-difference checks. */
export function farziOuterObjective(
  model: Model,
  names: string[],
  w0: tf.Tensor[],
  data: InnerData,
  real: RealBatch,
  steps: number,
  hyper: AdamHyper,
  learningRates?: readonly number[],
): number {
  return outerObjective(model, names, w0, farziSequences(data), real, steps, hyper, learningRates);
}
