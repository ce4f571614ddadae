import * as tf from '@tensorflow/tfjs-core';
import {
  ApplyOptions,
  dense,
  embedTokens,
  glorotUniform,
  Model,
  ModelContext,
  paddingMask,
  Params,
  safeOps,
  seedSequence,
} from '@farzi/core';

export interface Gru4recHyperParameters {
  embeddingSize: number;
  hiddenSize: number;
  layers: number;
  dropout: number;
  embeddingDropout: number;
  initStd: number;
}

/**
 * GRU4Rec (Hidasi et al., ICLR 2016) with the 2018 improvements' cross-entropy over all items:
 * item embedding → stacked GRU layers → dropout → a dense output layer scoring every item.
 * Padding positions (left padding) leave the hidden state unchanged. The GRU gates use the
 * second-order-safe sigmoid and tanh so the model runs inside the Farzi inner loop.
 */
export function gru4rec(h: Gru4recHyperParameters, ctx: ModelContext): Model {
  const V = ctx.vocabSize;
  const e = h.embeddingSize;
  const H = h.hiddenSize;
  const layerInput = (i: number) => (i === 0 ? e : H);

  function gruLayer(x: tf.Tensor3D, params: Params, i: number, mask: tf.Tensor2D): tf.Tensor3D {
    const [b, l] = x.shape;
    const xw = dense(x, params[`gru${i}.wx`], params[`gru${i}.b`]); // [B, L, 3H], computed once
    const u = params[`gru${i}.wh`];
    const [ur, uz, un] = tf.split(u, 3, 1);
    let state: tf.Tensor = tf.zeros([b, H]);
    const outputs: tf.Tensor[] = [];
    for (let t = 0; t < l; t++) {
      const xt = tf.reshape(tf.slice(xw, [0, t, 0], [b, 1, 3 * H]), [b, 3 * H]);
      const [xr, xz, xn] = tf.split(xt, 3, 1);
      const r = safeOps.sigmoid(tf.add(xr, tf.matMul(state, ur)));
      const z = safeOps.sigmoid(tf.add(xz, tf.matMul(state, uz)));
      const n = safeOps.tanh(tf.add(xn, tf.mul(r, tf.matMul(state, un))));
      const candidate = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, state));
      const m = tf.reshape(tf.slice(mask, [0, t], [b, 1]), [b, 1]);
      state = tf.add(tf.mul(m, candidate), tf.mul(tf.sub(1, m), state));
      outputs.push(state);
    }
    return tf.stack(outputs, 1) as tf.Tensor3D;
  }

  /** The GRU stack's outputs after dropout, `[B, L, H]` (the output layer's input). */
  function hidden(params: Params, input: tf.Tensor, options: ApplyOptions): tf.Tensor3D {
    const seeds = seedSequence(options.seed ?? 0);
    const mask = paddingMask(input);
    let x = embedTokens(params.itemEmbedding, input);
    x = safeOps.dropout(x, h.embeddingDropout, options.training, seeds()) as tf.Tensor3D;
    for (let i = 0; i < h.layers; i++) x = gruLayer(x, params, i, mask);
    return safeOps.dropout(x, h.dropout, options.training, seeds()) as tf.Tensor3D;
  }

  return {
    name: 'gru4rec',
    leftPaddingInvariant: true,
    vocabSize: V,
    maxLength: ctx.maxLength,
    hyperParameters: { ...h },
    parameterCount: () => {
      let n = V * e + H * V + V;
      for (let i = 0; i < h.layers; i++) n += layerInput(i) * 3 * H + H * 3 * H + 3 * H;
      return n;
    },
    init(seed) {
      const next = seedSequence(seed);
      const params: Params = {
        itemEmbedding: tf.randomNormal([V, e], 0, h.initStd, 'float32', next()),
        'output.w': glorotUniform([H, V], next()),
        'output.b': tf.zeros([V]),
      };
      for (let i = 0; i < h.layers; i++) {
        params[`gru${i}.wx`] = glorotUniform([layerInput(i), 3 * H], next());
        params[`gru${i}.wh`] = tf.concat(
          [0, 1, 2].map(() => glorotUniform([H, H], next())),
          1,
        );
        params[`gru${i}.b`] = tf.zeros([3 * H]);
      }
      return params;
    },
    apply(params, input, options) {
      return tf.tidy(
        () =>
          dense(
            hidden(params, input, options),
            params['output.w'],
            params['output.b'],
          ) as tf.Tensor3D,
      );
    },
    hiddenStates(params, input, options) {
      return tf.tidy(() => hidden(params, input, options));
    },
    outputLayer: (params) => ({
      weights: params['output.w'] as tf.Tensor2D,
      itemAxis: 1,
      bias: params['output.b'] as tf.Tensor1D,
    }),
  };
}
