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

/** Inputs and targets of the synthetic sequences, each decoded once (no tape). */
export function decodeSynthetic(data: InnerData): SyntheticBatch {
  const [mu, xi] = data.latent.shape as [number, number, number];
  return {
    inputs: decodePositions(data, 0, xi - 1),
    targets: decodePositions(data, 1, xi - 1),
    mask: tf.ones([mu, xi - 1]) as tf.Tensor2D,
  };
}

export function disposeSynthetic(batch: SyntheticBatch): void {
  tf.dispose([batch.inputs, batch.targets, batch.mask]);
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

/**
 * Pulls cotangents of the decoded inputs and targets back to the latent and the decoder:
 * (dL/dF, dL/dM) = vjp of (F, M) ↦ (X[:, :−1], X[:, 1:]) at (dInputs, dTargets). The reverse pass
 * accumulates dInputs and dTargets over all inner steps and calls this once per outer step.
 */
export function pullBackToLatent(
  data: InnerData,
  dInputs: tf.Tensor,
  dTargets: tf.Tensor,
): { latent: tf.Tensor; decoder: tf.Tensor } {
  return tf.tidy(() => {
    const xi = data.latent.shape[1] as number;
    const [latent, decoder] = tf.grads((F: tf.Tensor, M: tf.Tensor) =>
      tf.add(
        tf.sum(tf.mul(decodePositions(data, 0, xi - 1, F, M), dInputs)),
        tf.sum(tf.mul(decodePositions(data, 1, xi - 1, F, M), dTargets)),
      ),
    )([data.latent, data.decoder]);
    return { latent, decoder };
  });
}
