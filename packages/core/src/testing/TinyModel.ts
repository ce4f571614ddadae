import * as tf from '@tensorflow/tfjs-core';
import type { Model, ModelFactory, Params } from '../model/Model';
import { dropout, tanh } from '../ops/safeOps';
import { embedTokens, paddingMask, tiedLogits } from '../ops/embed';

/**
 * A tiny causal reference model for core's own tests: the hidden state at t is tanh of a running
 * mean of the embeddings up to t (a causal mixing matrix), followed by a dense layer; logits use the
 * tied embedding table. It follows the full functional contract (ids or soft tokens).
 */
export function tinyModel(vocabSize: number, maxLength: number, hidden = 8, rate = 0): Model {
  return {
    name: 'tiny',
    vocabSize,
    maxLength,
    hyperParameters: { hidden, dropout: rate },
    parameterCount: () => vocabSize * hidden + hidden * hidden + hidden,
    init(seed: number): Params {
      return {
        embedding: tf.randomNormal([vocabSize, hidden], 0, 0.3, 'float32', seed),
        dense: tf.randomNormal([hidden, hidden], 0, 0.3, 'float32', seed + 1),
        bias: tf.zeros([hidden]),
      };
    },
    apply(params, input, { training, seed }) {
      return tf.tidy(() => {
        const x = embedTokens(params.embedding, input);
        const [b, l, d] = x.shape;
        const mask = paddingMask(input);
        const masked = tf.mul(x, tf.expandDims(mask, -1));
        // Causal running sum: lower-triangular [L, L] matrix applied over the time axis.
        const tri = tf.linalg.bandPart(tf.ones([l, l]), -1, 0);
        const mixed = tf.matMul(tf.broadcastTo(tri, [b, l, l]), masked);
        const h = tanh(
          tf.add(
            tf.reshape(tf.matMul(tf.reshape(mixed, [b * l, d]), params.dense), [b, l, d]),
            params.bias,
          ),
        );
        return tiedLogits(dropout(h, rate, training, seed), params.embedding);
      });
    },
  };
}

export const tinyModelFactory: ModelFactory = {
  name: 'tiny',
  description: 'tiny causal reference model (tests only)',
  schema: {
    type: 'object',
    properties: {
      hidden: { type: 'integer', minimum: 1, default: 8 },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
    },
  },
  create: (h, ctx) =>
    tinyModel(ctx.vocabSize, ctx.maxLength, h.hidden as number, h.dropout as number),
};
