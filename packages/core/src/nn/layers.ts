import * as tf from '@tensorflow/tfjs-core';
import type { Params } from '../model/Model';
import { maskedSoftmax } from '../ops/maskedSoftmax';
import { dropout } from '../ops/safeOps';

/*
 * Generic, second-order-safe building blocks for model packages (no concrete model lives here).
 * Parameters are looked up in a flat `Params` map under a name prefix, e.g. `block0.attn.wq`.
 */

/** x · W + b over the last axis, for x of any rank ≥ 2. */
export function dense(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1] as number;
  const outDim = w.shape[1] as number;
  const lead = x.shape.slice(0, -1);
  let y = tf.matMul(tf.reshape(x, [-1, inDim]), w);
  if (b) y = tf.add(y, b);
  return tf.reshape(y, [...lead, outDim]);
}

/** Glorot-uniform initialisation, as Keras and PyTorch's xavier_uniform_. */
export function glorotUniform(shape: [number, number], seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

export interface AttentionOptions {
  readonly heads: number;
  /** `[B, L]` 1 for real positions, 0 for padding (keys that are padding are not attended to). */
  readonly keyMask?: tf.Tensor;
  readonly dropoutRate: number;
  readonly training: boolean;
  readonly seed?: number;
}

/**
 * Multi-head causal self-attention with separate query and key/value inputs (SASRec feeds the
 * layer-normalised sequence as queries and the raw sequence as keys/values). Uses parameters
 * `${prefix}.wq/bq/wk/bk/wv/bv/wo/bo`. Position t attends to positions ≤ t only.
 */
export function causalAttention(
  queries: tf.Tensor,
  keys: tf.Tensor,
  params: Params,
  prefix: string,
  options: AttentionOptions,
): tf.Tensor {
  const [b, l, d] = queries.shape as [number, number, number];
  const h = options.heads;
  if (!Number.isInteger(h) || h < 1 || d % h !== 0) {
    // A model's own wiring error (its schema should have refused the hyper-parameters).
    throw new Error(`causalAttention: ${h} heads do not divide the model dimension ${d}.`);
  }
  const dh = d / h;
  // One head needs no transposes (moving a length-1 axis is a copy of the same values).
  const split = (x: tf.Tensor) =>
    h === 1
      ? x
      : tf.reshape(tf.transpose(tf.reshape(x, [b, l, h, dh]), [0, 2, 1, 3]), [b * h, l, dh]);
  const q = split(dense(queries, params[`${prefix}.wq`], params[`${prefix}.bq`]));
  const k = split(dense(keys, params[`${prefix}.wk`], params[`${prefix}.bk`]));
  const v = split(dense(keys, params[`${prefix}.wv`], params[`${prefix}.bv`]));
  // Additive mask (a constant): −1e9 on future positions and on padding keys.
  const bias = options.keyMask ? maskBias(options.keyMask, h) : causalBias(b, h, l);
  // softmax(q·kᵀ/√dh + bias) over the keys, one fused kernel (and gradients) where the backend has it.
  let weights = maskedSoftmax(tf.matMul(q, k, false, true), bias, Math.sqrt(dh)); // [B·h, L, L]
  weights = dropout(weights, options.dropoutRate, options.training, options.seed);
  const attended = tf.matMul(weights, v);
  const out =
    h === 1
      ? attended
      : tf.reshape(tf.transpose(tf.reshape(attended, [b, h, l, dh]), [0, 2, 1, 3]), [b, l, d]);
  return dense(out, params[`${prefix}.wo`], params[`${prefix}.bo`]);
}

function causalBias(b: number, h: number, l: number): tf.Tensor {
  return attentionBias(undefined, b, h, l);
}

/**
 * The additive attention bias `[B·h, L, L]`: 0 where a query may attend, −1e9 elsewhere. Causal,
 * padding keys hidden, but every position may attend to itself, so a padding query never has all keys masked (which would spread
 * its attention uniformly, future included). Computed as a constant inside a custom-gradient
 * forward pass, so nothing of it is taped when the key mask comes from soft (differentiable) input.
 */
function maskBias(keyMask: tf.Tensor, h: number): tf.Tensor {
  // Every block of a model attends with the same key mask: build its bias once per forward pass.
  const cached = biasCache.get(keyMask);
  if (cached && cached.heads === h && !cached.bias.isDisposed) return cached.bias;
  const bias = maskBiasOf(keyMask, h);
  biasCache.set(keyMask, { heads: h, bias });
  return bias;
}

/** Bias tensors by key-mask tensor (weak: entries go with the mask). */
const biasCache = new WeakMap<tf.Tensor, { heads: number; bias: tf.Tensor }>();

function maskBiasOf(keyMask: tf.Tensor, h: number): tf.Tensor {
  const fn = tf.customGrad(((mask: tf.Tensor) => {
    const [b, l] = mask.shape as [number, number];
    return {
      value: attentionBias(mask.dataSync(), b, h, l),
      gradFunc: () => tf.zerosLike(mask),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
  return fn(keyMask);
}

/**
 * Builds the pattern on the host: a few hundred thousand writes, where the same built from
 * broadcasting tensor ops cost ~70 ms per call in the wasm backend's slow broadcast path.
 */
function attentionBias(
  keyMask: ArrayLike<number> | undefined,
  b: number,
  h: number,
  l: number,
): tf.Tensor {
  const out = new Float32Array(b * h * l * l).fill(-1e9);
  for (let i = 0; i < b; i++) {
    const base = i * h * l * l;
    for (let q = 0; q < l; q++) {
      for (let k = 0; k <= q; k++) {
        if (k === q || !keyMask || keyMask[i * l + k] > 0.5) out[base + q * l + k] = 0;
      }
    }
    for (let j = 1; j < h; j++) out.copyWithin(base + j * l * l, base, base + l * l);
  }
  return tf.tensor3d(out, [b * h, l, l]);
}

/** Parameters of `causalAttention` (Glorot weights, zero biases). */
export function initAttention(prefix: string, d: number, seed: number): Params {
  const p: Params = {};
  ['q', 'k', 'v', 'o'].forEach((n, i) => {
    p[`${prefix}.w${n}`] = glorotUniform([d, d], seed + i);
    p[`${prefix}.b${n}`] = tf.zeros([d]);
  });
  return p;
}

/** Gain 1, bias 0 for a layer norm. */
export function initLayerNorm(prefix: string, d: number): Params {
  return { [`${prefix}.gain`]: tf.ones([d]), [`${prefix}.bias`]: tf.zeros([d]) };
}

/** Derives distinct, reproducible seeds for the parts of a model from one seed. */
export function seedSequence(seed: number): () => number {
  let s = seed * 1000 + 17;
  return () => (s = (s * 48271) % 2147483647);
}
