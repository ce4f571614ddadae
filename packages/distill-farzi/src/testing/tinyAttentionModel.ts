import * as tf from '@tensorflow/tfjs-core';
import {
  causalAttention,
  embedTokens,
  initAttention,
  initLayerNorm,
  Model,
  paddingMask,
  Params,
  safeOps,
  tiedLogits,
} from '@farzi/core';

/**
 * A one-block causal attention model for the plugin's own tests (no model package needed). It
 * exposes its hidden states (for feature alignment) but no output layer, so training and ranking
 * keep computing full logits.
 */
export function tinyAttentionModel(vocabSize: number, maxLength: number, d = 4): Model {
  const hidden = (params: Params, input: tf.Tensor, training: boolean, seed?: number) =>
    tf.tidy(() => {
      const l = input.shape[1] as number;
      const mask = paddingMask(input);
      const x = tf.add(
        embedTokens(params.embedding, input),
        tf.slice(params.position, [maxLength - l, 0], [l, d]),
      );
      const a = causalAttention(x, x, params, 'attn', {
        heads: 2,
        keyMask: mask,
        dropoutRate: 0,
        training,
        seed,
      });
      return safeOps.layerNorm(
        tf.add(x, safeOps.tanh(a)),
        params['ln.gain'],
        params['ln.bias'],
      ) as tf.Tensor3D;
    });
  return {
    name: 'tiny-attention',
    vocabSize,
    maxLength,
    hyperParameters: { d },
    parameterCount: () => vocabSize * d + maxLength * d + 4 * d * d + 4 * d + 4 * d,
    init(seed) {
      return {
        embedding: tf.randomNormal([vocabSize, d], 0, 0.5, 'float32', seed),
        position: tf.randomNormal([maxLength, d], 0, 0.5, 'float32', seed + 1),
        ...initAttention('attn', d, seed + 2),
        ...initLayerNorm('ln', d),
      } as Params;
    },
    apply(params, input, { training, seed }) {
      return tf.tidy(() => tiedLogits(hidden(params, input, training, seed), params.embedding));
    },
    hiddenStates: (params, input, { training, seed }) => hidden(params, input, training, seed),
  };
}
