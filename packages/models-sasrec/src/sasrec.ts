import * as tf from '@tensorflow/tfjs-core';
import {
  ApplyOptions,
  causalAttention,
  dense,
  embedTokens,
  glorotUniform,
  initAttention,
  initLayerNorm,
  Model,
  ModelContext,
  paddingMask,
  Params,
  safeOps,
  seedSequence,
  tiedLogits,
  UserError,
} from '@farzi/core';

export interface SasrecHyperParameters {
  hiddenSize: number;
  blocks: number;
  heads: number;
  dropout: number;
  loss: 'softmax' | 'bce';
  initStd: number;
}

/**
 * SASRec (Kang & McAuley, ICDM 2018), as in the public PyTorch port: scaled item embeddings plus
 * learned positions, dropout, then N blocks of [pre-norm queries → causal multi-head attention
 * (+ residual) → layer norm → point-wise feed-forward (ReLU, + residual)], padding zeroed after each
 * block, a final layer norm, and logits against the tied item embeddings.
 */
export function sasrec(h: SasrecHyperParameters, ctx: ModelContext): Model {
  const d = h.hiddenSize;
  if (d % h.heads !== 0) {
    throw new UserError(`model.heads: ${h.heads} heads do not divide model.hiddenSize ${d}.`);
  }
  const V = ctx.vocabSize;
  const L = ctx.maxLength;

  function hidden(params: Params, input: tf.Tensor, options: ApplyOptions): tf.Tensor3D {
    const seeds = seedSequence(options.seed ?? 0);
    const drop = (x: tf.Tensor) => safeOps.dropout(x, h.dropout, options.training, seeds());
    const mask = paddingMask(input);
    const mask3 = tf.expandDims(mask, -1);
    const l = input.shape[1] as number;
    if (l > L) throw new Error(`input length ${l} exceeds the model's maxLength ${L}`);
    let x = tf.mul(embedTokens(params.itemEmbedding, input), Math.sqrt(d));
    x = tf.add(x, tf.slice(params.positionEmbedding, [L - l, 0], [l, d]));
    x = tf.mul(drop(x), mask3);
    for (let i = 0; i < h.blocks; i++) {
      const p = `block${i}`;
      const q = safeOps.layerNorm(x, params[`${p}.ln1.gain`], params[`${p}.ln1.bias`], 1e-8);
      const attended = causalAttention(q, x, params, `${p}.attn`, {
        heads: h.heads,
        keyMask: mask,
        dropoutRate: h.dropout,
        training: options.training,
        seed: seeds(),
      });
      x = tf.add(q, attended);
      const y = safeOps.layerNorm(x, params[`${p}.ln2.gain`], params[`${p}.ln2.bias`], 1e-8);
      const ff = drop(
        dense(
          drop(tf.relu(dense(y, params[`${p}.ff1.w`], params[`${p}.ff1.b`]))),
          params[`${p}.ff2.w`],
          params[`${p}.ff2.b`],
        ),
      );
      x = tf.mul(tf.add(y, ff), mask3);
    }
    return safeOps.layerNorm(x, params['final.gain'], params['final.bias'], 1e-8) as tf.Tensor3D;
  }

  return {
    name: 'sasrec',
    leftPaddingInvariant: true,
    vocabSize: V,
    maxLength: L,
    hyperParameters: { ...h },
    parameterCount: () => V * d + L * d + h.blocks * (6 * d * d + 10 * d) + 2 * d,
    init(seed) {
      const next = seedSequence(seed);
      const params: Params = {
        itemEmbedding: tf.randomNormal([V, d], 0, h.initStd, 'float32', next()),
        positionEmbedding: tf.randomNormal([L, d], 0, h.initStd, 'float32', next()),
        ...initLayerNorm('final', d),
      };
      for (let i = 0; i < h.blocks; i++) {
        const p = `block${i}`;
        Object.assign(
          params,
          initLayerNorm(`${p}.ln1`, d),
          initLayerNorm(`${p}.ln2`, d),
          initAttention(`${p}.attn`, d, next()),
        );
        params[`${p}.ff1.w`] = glorotUniform([d, d], next());
        params[`${p}.ff1.b`] = tf.zeros([d]);
        params[`${p}.ff2.w`] = glorotUniform([d, d], next());
        params[`${p}.ff2.b`] = tf.zeros([d]);
      }
      return params;
    },
    apply(params, input, options) {
      return tf.tidy(() => tiedLogits(hidden(params, input, options), params.itemEmbedding));
    },
    hiddenStates(params, input, options) {
      return tf.tidy(() => hidden(params, input, options));
    },
    outputLayer: (params) => ({ weights: params.itemEmbedding as tf.Tensor2D, itemAxis: 0 }),
    trainingLoss:
      h.loss === 'bce'
        ? (params, inputs, targets, options) =>
            tf.tidy(() => {
              // The paper's loss: one uniformly sampled negative item per target position.
              const states = hidden(params, inputs, options);
              const negatives = tf.cast(
                tf.floor(
                  tf.randomUniform(targets.shape, 1, V, 'float32', (options.seed ?? 0) + 7919),
                ),
                'int32',
              );
              const score = (items: tf.Tensor) =>
                tf.sum(tf.mul(states, embedTokens(params.itemEmbedding, items)), -1);
              const mask = tf.cast(tf.notEqual(targets, 0), 'float32');
              const perPosition = tf.neg(
                tf.add(
                  safeOps.logSigmoid(score(targets)),
                  safeOps.logSigmoid(tf.neg(score(negatives))),
                ),
              );
              return tf.div(
                tf.sum(tf.mul(perPosition, mask)),
                tf.maximum(tf.sum(mask), 1),
              ) as tf.Scalar;
            })
        : undefined,
  };
}
