import * as tf from '@tensorflow/tfjs-core';
import {
  ApplyOptions,
  causalAttention,
  dense,
  embedTokens,
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

export interface TransformerHyperParameters {
  hiddenSize: number;
  layers: number;
  heads: number;
  ffMultiplier: number;
  dropout: number;
  initStd: number;
}

/**
 * A GPT-style causal Transformer language model: token + learned position embeddings, N pre-layer-
 * norm blocks (x + attention(LN(x)), x + MLP(LN(x)) with GELU), a final layer norm and logits
 * against the tied token embeddings. Defaults are sized to train on 2 CPU cores.
 */
export function transformer(h: TransformerHyperParameters, ctx: ModelContext): Model {
  const d = h.hiddenSize;
  if (d % h.heads !== 0)
    throw new UserError(`model.heads: ${h.heads} heads do not divide model.hiddenSize ${d}.`);
  const V = ctx.vocabSize;
  const L = ctx.maxLength;
  const F = h.ffMultiplier * d;
  /** The final layer norm's output, `[B, L, d]` (the tied output layer's input). */
  function hidden(params: Params, input: tf.Tensor, options: ApplyOptions): tf.Tensor3D {
    const seeds = seedSequence(options.seed ?? 0);
    const drop = (x: tf.Tensor) => safeOps.dropout(x, h.dropout, options.training, seeds());
    const l = input.shape[1] as number;
    if (l > L) throw new Error(`input length ${l} exceeds the model's maxLength ${L}`);
    const mask = paddingMask(input);
    let x = tf.add(
      embedTokens(params.tokenEmbedding, input),
      tf.slice(params.positionEmbedding, [0, 0], [l, d]),
    );
    x = drop(x);
    for (let i = 0; i < h.layers; i++) {
      const p = `block${i}`;
      const a = safeOps.layerNorm(x, params[`${p}.ln1.gain`], params[`${p}.ln1.bias`]);
      x = tf.add(
        x,
        drop(
          causalAttention(a, a, params, `${p}.attn`, {
            heads: h.heads,
            keyMask: mask,
            dropoutRate: h.dropout,
            training: options.training,
            seed: seeds(),
          }),
        ),
      );
      const m = safeOps.layerNorm(x, params[`${p}.ln2.gain`], params[`${p}.ln2.bias`]);
      x = tf.add(
        x,
        drop(
          dense(
            safeOps.gelu(dense(m, params[`${p}.mlp1.w`], params[`${p}.mlp1.b`])),
            params[`${p}.mlp2.w`],
            params[`${p}.mlp2.b`],
          ),
        ),
      );
    }
    return safeOps.layerNorm(x, params['final.gain'], params['final.bias']) as tf.Tensor3D;
  }

  return {
    name: 'transformer',
    vocabSize: V,
    maxLength: L,
    hyperParameters: { ...h },
    parameterCount: () =>
      V * d + L * d + h.layers * (4 * d * d + 4 * d + 4 * d + 2 * d * F + F + d) + 2 * d,
    init(seed) {
      const next = seedSequence(seed);
      const normal = (shape: [number, number]) =>
        tf.randomNormal(shape, 0, h.initStd, 'float32', next());
      const params: Params = {
        tokenEmbedding: normal([V, d]),
        positionEmbedding: normal([L, d]),
        ...initLayerNorm('final', d),
      };
      for (let i = 0; i < h.layers; i++) {
        const p = `block${i}`;
        Object.assign(
          params,
          initLayerNorm(`${p}.ln1`, d),
          initLayerNorm(`${p}.ln2`, d),
          initAttention(`${p}.attn`, d, next()),
        );
        params[`${p}.mlp1.w`] = normal([d, F]);
        params[`${p}.mlp1.b`] = tf.zeros([F]);
        // GPT-2 scales the residual projections by 1/√(2N).
        params[`${p}.mlp2.w`] = tf.mul(normal([F, d]), 1 / Math.sqrt(2 * h.layers));
        params[`${p}.mlp2.b`] = tf.zeros([d]);
      }
      return params;
    },
    apply(params, input, options) {
      return tf.tidy(() => tiedLogits(hidden(params, input, options), params.tokenEmbedding));
    },
    hiddenStates(params, input, options) {
      return tf.tidy(() => hidden(params, input, options));
    },
    outputLayer: (params) => ({ weights: params.tokenEmbedding as tf.Tensor2D, itemAxis: 0 }),
  };
}
