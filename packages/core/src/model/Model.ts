import * as tf from '@tensorflow/tfjs-core';
import type { JsonSchema } from '../config/JsonSchema';
import type { Named } from '../contracts/Named';
import type { OutputLayer } from '../ops/outputLayer';

/** Model parameters: a named map of tensors. Models never hold parameters themselves. */
export type Params = Record<string, tf.Tensor>;

export interface ApplyOptions {
  /** Dropout is active only when training. */
  readonly training: boolean;
  /** Seed of the dropout masks, so a training step can be replayed exactly. */
  readonly seed?: number;
}

/**
 * The functional model contract. `apply` takes either token ids `[batch, length]` (int32, 0 =
 * padding) or soft tokens `[batch, length, vocabSize]` whose rows are distributions (embedded as
 * `row · E`, so a one-hot row gives the same result as its id), and returns next-token logits
 * `[batch, length, vocabSize]`: position t predicts the token at t + 1.
 */
export interface Model {
  readonly name: string;
  readonly vocabSize: number;
  readonly maxLength: number;
  /** The resolved hyper-parameters (config values with defaults). */
  readonly hyperParameters: Readonly<Record<string, unknown>>;
  init(seed: number): Params;
  apply(params: Params, input: tf.Tensor, options: ApplyOptions): tf.Tensor3D;
  /** The parameter count implied by the hyper-parameters (equals the size of `init`'s tensors). */
  parameterCount(): number;
  /**
   * Optional, for large catalogues: the hidden states `[batch, length, d]` whose product with
   * `outputLayer` gives `apply`'s logits (same dropout for the same seed). With both, training
   * computes logits only at positions that have a target (or only for sampled items), and ranking
   * only at the ranked position.
   */
  hiddenStates?(params: Params, input: tf.Tensor, options: ApplyOptions): tf.Tensor3D;
  /**
   * True when the outputs at real positions do not depend on how much left padding precedes them
   * (SASRec's positions count from the right end, GRU4Rec's state stays zero through padding): the
   * trainer then cuts each batch to its longest sequence instead of `maxLength`.
   */
  readonly leftPaddingInvariant?: boolean;
  /** The output layer that maps `hiddenStates` to logits (see `hiddenStates`). */
  outputLayer?(params: Params): OutputLayer;
  /**
   * Optional: the model's own training loss on id batches (e.g. SASRec's binary cross-entropy with
   * sampled negatives). Without it, training uses full-softmax next-token cross-entropy.
   */
  trainingLoss?(
    params: Params,
    inputs: tf.Tensor2D,
    targets: tf.Tensor2D,
    options: ApplyOptions,
  ): tf.Scalar;
}

/** What a model needs to know about the data it is built for. */
export interface ModelContext {
  /** Rows of the embedding/output tables, padding included. */
  readonly vocabSize: number;
  /** Longest input the model sees (positional tables are this long). */
  readonly maxLength: number;
}

/** Registered by a model plugin under its name. */
export interface ModelFactory extends Named {
  readonly description: string;
  /** JSON Schema (an object schema) of the model's hyper-parameters, i.e. `model.*` besides `name`. */
  readonly schema: JsonSchema;
  create(hyperParameters: Record<string, unknown>, context: ModelContext): Model;
}

/** A model's description for logs and run directories. */
export interface ModelDescription {
  readonly name: string;
  readonly hyperParameters: Readonly<Record<string, unknown>>;
  readonly vocabSize: number;
  readonly maxLength: number;
  readonly parameters: number;
}

export function describeModel(model: Model): ModelDescription {
  return {
    name: model.name,
    hyperParameters: model.hyperParameters,
    vocabSize: model.vocabSize,
    maxLength: model.maxLength,
    parameters: model.parameterCount(),
  };
}

/**
 * The names and shapes of a model's parameters, keeping no tensor (those `init` makes to tell are
 * disposed): what a caller that only needs the names should use instead of `init`.
 */
export function parameterShapes(model: Model): Record<string, number[]> {
  const params = model.init(0);
  try {
    return Object.fromEntries(Object.entries(params).map(([k, t]) => [k, [...t.shape]]));
  } finally {
    tf.dispose(Object.values(params));
  }
}

/**
 * Why `params` do not fit `model` (a parameter missing or of another shape), or undefined when they
 * do: checked before a model runs on loaded parameters, so that a wrong checkpoint gets a message
 * instead of a shape error deep inside a kernel.
 */
export function parameterMismatch(model: Model, params: Params): string | undefined {
  for (const [name, shape] of Object.entries(parameterShapes(model))) {
    const got = params[name];
    const same =
      got && got.shape.length === shape.length && got.shape.every((s, i) => s === shape[i]);
    if (!same) {
      return `parameter "${name}" ${got ? `has shape [${got.shape.join(', ')}], expected [${shape.join(', ')}]` : 'is missing'}`;
    }
  }
  return undefined;
}

/**
 * The first parameter holding NaN or an infinity, described, or undefined: loaded parameters are
 * checked before use, so that a damaged checkpoint is reported instead of scoring every item 0.
 */
export function nonFiniteParameter(params: Params): string | undefined {
  for (const [name, t] of Object.entries(params)) {
    const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(t))).dataSync()[0]);
    if (bad) return `parameter "${name}" holds NaN or infinite values`;
  }
  return undefined;
}
