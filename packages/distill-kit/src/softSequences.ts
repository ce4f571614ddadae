import * as tf from '@tensorflow/tfjs-core';
import { Model, Params, softCrossEntropy } from '@farzi/core';

/**
 * Soft synthetic sequences as any bi-level distillation method parameterises them: the outer loop
 * optimises `parameters` (Farzi: the latent F and the decoder M; a Tucker factorisation: its
 * factors and core), the inner loop trains on their decoding X `[μ, ξ, |V|]` (rows are
 * distributions over the items), and the meta-gradient reaches the parameters through `pullBack`,
 * once per outer step. The reverse-mode Adam, the inner loop and the meta-gradient work on this
 * interface only.
 */
export interface SoftSequences {
  /** The tensors the outer loop optimises, by name (the caller owns them). */
  readonly parameters: Readonly<Record<string, tf.Tensor>>;
  /** μ sequences of ξ positions over |V| items. */
  readonly shape: readonly [number, number, number];
  /** Inputs X[:, :−1] and targets X[:, 1:], decoded once (no tape), in chunks of sequences. */
  decode(sequenceChunk?: number): SyntheticData;
  /** dL/d(parameters) from the cotangents of the decoded chunks' inputs and targets. */
  pullBack(cotangents: readonly ChunkCotangent[]): Record<string, tf.Tensor>;
  /** Inputs and targets as a differentiable function of parameter values (the unrolled reference). */
  decodeWith(parameters: Readonly<Record<string, tf.Tensor>>): {
    inputs: tf.Tensor3D;
    targets: tf.Tensor3D;
  };
}

/**
 * The decoded synthetic sequences as a training batch: inputs X[:, :−1] and soft targets X[:, 1:]
 * `[μ, ξ−1, |V|]`, every position weighted 1.
 */
export interface SyntheticBatch {
  readonly inputs: tf.Tensor3D;
  readonly targets: tf.Tensor3D;
  readonly mask: tf.Tensor2D;
}

/**
 * One slice of the synthetic sequences, rows `[from, from + count)`, decoded: its loss enters the
 * total with weight count/μ (the synthetic loss is a mean over sequences).
 */
export interface SyntheticChunk extends SyntheticBatch {
  readonly from: number;
  readonly count: number;
  readonly weight: number;
}

/** The decoded synthetic sequences, in one or more chunks of sequences. */
export type SyntheticData = readonly SyntheticChunk[];

/**
 * Values in one decoded `[sequences, ξ−1, |V|]` tensor that `chunk: 0` ("auto") stays under: a chunk
 * of that size keeps a reverse step's tape under ~3 GB of the wasm backend's 4 GB memory (Beauty
 * [50×20], 12.1 M values, runs in one piece; Beauty [50×50] in three).
 */
export const AUTO_CHUNK_VALUES = 13_000_000;

/**
 * How many synthetic sequences go into one product: `chunk` if positive, else the fewest equal
 * chunks that keep each under AUTO_CHUNK_VALUES values (a large catalogue at [50×50] would otherwise
 * hold dozens of 100-MB tensors on one tape). Products are sums over sequences, so chunking changes
 * memory, not the result (up to float summation order); one chunk also lets the exact products share
 * their forward pass with the gradient.
 */
export function sequencesPerChunk(mu: number, xi: number, vocab: number, chunk = 0): number {
  if (chunk > 0) return Math.min(chunk, mu);
  const chunks = Math.max(1, Math.ceil((mu * (xi - 1) * vocab) / AUTO_CHUNK_VALUES));
  return Math.ceil(mu / Math.min(chunks, mu));
}

export function disposeSynthetic(data: SyntheticData): void {
  for (const c of data) tf.dispose([c.inputs, c.targets, c.mask]);
}

/** The synthetic loss of one chunk as its share of the total (weight 1 for a single chunk). */
export function chunkLoss(
  model: Model,
  params: Params,
  chunk: SyntheticChunk,
  inputs: tf.Tensor = chunk.inputs,
  targets: tf.Tensor = chunk.targets,
): tf.Scalar {
  const loss = lossOnSynthetic(model, params, inputs, targets, chunk.mask);
  return chunk.weight === 1 ? loss : (tf.mul(loss, chunk.weight) as tf.Scalar);
}

/** Soft next-token cross-entropy of the model on decoded synthetic inputs and targets. */
export function lossOnSynthetic(
  model: Model,
  params: Params,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  mask: tf.Tensor,
): tf.Scalar {
  return softCrossEntropy(model.apply(params, inputs, { training: false }), targets, mask);
}

/** Cotangents of one chunk's decoded inputs and targets. */
export interface ChunkCotangent {
  readonly chunk: SyntheticChunk;
  readonly dInputs: tf.Tensor;
  readonly dTargets: tf.Tensor;
}
