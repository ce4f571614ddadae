import * as tf from '@tensorflow/tfjs-core';
import { embedTokens, Model, paddingMask, Params, safeOps, tiedLogits } from '@farzi/core';

/**
 * A tiny causal model that exposes its hidden states (as SASRec and GRU4Rec do): h_t = tanh of the
 * running sum of the embeddings up to t times a dense layer; logits are h·Eᵀ (its output layer,
 * E tied). For the kit's checks of the feature-alignment term and of the real-position logits.
 */
export function tinyFeatureModel(vocabSize: number, maxLength: number, d = 4): Model {
  const hidden = (params: Params, input: tf.Tensor): tf.Tensor3D =>
    tf.tidy(() => {
      const x = embedTokens(params.embedding, input);
      const [b, l] = x.shape;
      const masked = tf.mul(x, tf.expandDims(paddingMask(input), -1));
      const tri = tf.linalg.bandPart(tf.ones([l, l]), -1, 0);
      const mixed = tf.matMul(tf.broadcastTo(tri, [b, l, l]), masked);
      const flat = tf.matMul(tf.reshape(mixed, [b * l, d]), params.dense);
      return safeOps.tanh(tf.add(tf.reshape(flat, [b, l, d]), params.bias)) as tf.Tensor3D;
    });
  return {
    name: 'tiny-features',
    vocabSize,
    maxLength,
    hyperParameters: { d },
    parameterCount: () => vocabSize * d + d * d + d,
    init: (seed) => ({
      embedding: tf.randomNormal([vocabSize, d], 0, 0.3, 'float32', seed),
      dense: tf.randomNormal([d, d], 0, 0.3, 'float32', seed + 1),
      bias: tf.zeros([d]),
    }),
    apply: (params, input) => tiedLogits(hidden(params, input), params.embedding),
    hiddenStates: (params, input) => hidden(params, input),
    outputLayer: (params) => ({ weights: params.embedding as tf.Tensor2D, itemAxis: 0 }),
  };
}
