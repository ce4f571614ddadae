import * as tf from '@tensorflow/tfjs';
import { Model, Params, softCrossEntropy } from '@farzi/core';
import { decodeFarzi } from './farziData';

/** The latent summary and decoder the synthetic sequences are decoded from: X = softmax(F·M/τ). */
export interface InnerData {
  readonly latent: tf.Tensor;
  readonly decoder: tf.Tensor;
  readonly temperature: number;
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
 * Decodes positions `[from, from + length)` of every synthetic sequence: the latent is sliced
 * (it is small) rather than the decoded `[μ, ξ, |V|]` tensor (slicing that is a full copy).
 */
export function decodePositions(
  data: InnerData,
  from: number,
  length: number,
  latent: tf.Tensor = data.latent,
  decoder: tf.Tensor = data.decoder,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [mu, , d] = latent.shape as [number, number, number];
    const part = tf.slice(latent, [0, from, 0], [mu, length, d]);
    return decodeFarzi(part, decoder, data.temperature);
  });
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

/** Rows `[from, from + count)` of the latent (the latent itself when that is all of it). */
function latentRows(latent: tf.Tensor, from: number, count: number): tf.Tensor {
  const [mu, xi, d] = latent.shape as [number, number, number];
  return count === mu ? latent : tf.slice(latent, [from, 0, 0], [count, xi, d]);
}

/** Inputs and targets of the synthetic sequences, decoded once (no tape), chunk by chunk. */
export function decodeSynthetic(data: InnerData, chunk = 0): SyntheticData {
  const [mu, xi] = data.latent.shape as [number, number, number];
  const per = sequencesPerChunk(mu, xi, data.decoder.shape[1] as number, chunk);
  const chunks: SyntheticChunk[] = [];
  for (let from = 0; from < mu; from += per) {
    const count = Math.min(per, mu - from);
    const rows = latentRows(data.latent, from, count);
    const part = { ...data, latent: rows };
    chunks.push({
      from,
      count,
      weight: count / mu,
      inputs: decodePositions(part, 0, xi - 1),
      targets: decodePositions(part, 1, xi - 1),
      mask: tf.ones([count, xi - 1]) as tf.Tensor2D,
    });
    if (rows !== data.latent) rows.dispose();
  }
  return chunks;
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

/**
 * Pulls cotangents of the decoded inputs and targets back to the latent and the decoder:
 * (dL/dF, dL/dM) = vjp of (F, M) ↦ (X[:, :−1], X[:, 1:]) at (dInputs, dTargets), chunk by chunk.
 * The reverse pass accumulates the cotangents over all inner steps and calls this once per outer step.
 */
export function pullBackToLatent(
  data: InnerData,
  cotangents: readonly ChunkCotangent[],
): { latent: tf.Tensor; decoder: tf.Tensor } {
  return tf.tidy(() => {
    const xi = data.latent.shape[1] as number;
    const dLatent: tf.Tensor[] = [];
    const dDecoder: tf.Tensor[] = [];
    for (const { chunk, dInputs, dTargets } of cotangents) {
      const rows = latentRows(data.latent, chunk.from, chunk.count);
      const [dF, dM] = tf.grads((F: tf.Tensor, M: tf.Tensor) =>
        tf.add(
          tf.sum(tf.mul(decodePositions(data, 0, xi - 1, F, M), dInputs)),
          tf.sum(tf.mul(decodePositions(data, 1, xi - 1, F, M), dTargets)),
        ),
      )([rows, data.decoder]);
      dLatent.push(dF);
      dDecoder.push(dM);
    }
    return {
      latent: dLatent.length === 1 ? dLatent[0] : tf.concat(dLatent, 0),
      decoder: dDecoder.length === 1 ? dDecoder[0] : tf.addN(dDecoder),
    };
  });
}
