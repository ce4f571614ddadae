import * as tf from '@tensorflow/tfjs-core';
import { decodeFarzi } from './farziDataFormat';
import {
  ChunkCotangent,
  SoftSequences,
  SyntheticChunk,
  SyntheticData,
  sequencesPerChunk,
} from '@farzi/distill-kit';

/**
 * Farzi's parameterisation of the synthetic sequences, X = softmax(F·M/τ), as the distillation kit
 * sees it (`SoftSequences`): parameters `latent` (F) and `decoder` (M).
 */
export function farziSequences(data: InnerData): SoftSequences {
  const [mu, xi] = data.latent.shape as [number, number, number];
  return {
    parameters: { latent: data.latent, decoder: data.decoder },
    shape: [mu, xi, data.decoder.shape[1] as number],
    decode: (chunk) => decodeSynthetic(data, chunk),
    pullBack: (cotangents) => pullBackToLatent(data, cotangents),
    decodeWith: ({ latent, decoder }) => ({
      inputs: decodePositions(data, 0, xi - 1, latent, decoder),
      targets: decodePositions(data, 1, xi - 1, latent, decoder),
    }),
  };
}

/** The latent summary and decoder the synthetic sequences are decoded from: X = softmax(F·M/τ). */
export interface InnerData {
  readonly latent: tf.Tensor;
  readonly decoder: tf.Tensor;
  readonly temperature: number;
  /** Sparse support k (0 or absent: every item); see decodeFarzi. */
  readonly support?: number;
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
    return decodeFarzi(part, decoder, data.temperature, data.support);
  });
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
