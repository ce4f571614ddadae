import * as tf from '@tensorflow/tfjs-core';
import {
  ChunkCotangent,
  SoftSequences,
  SyntheticChunk,
  SyntheticData,
  sequencesPerChunk,
} from '@farzi/distill-kit';

/**
 * TD3's synthetic summary: a Tucker factorisation of the synthetic sequences' logits,
 * S[i, t, v] = Σ_{a,b,c} G[a, b, c]·U[i, a]·T[t, b]·E[v, c], decoded as X = softmax(S/τ) with no
 * mass on the padding item 0. U `[μ, r1]` are the synthetic users, T `[ξ, r2]` the positions,
 * E `[|V|, r3]` the items (initialised from the teacher's item vectors when r3 is the model's
 * hidden size) and G `[r1, r2, r3]` the relation core.
 */
export interface TuckerFactors {
  readonly users: tf.Tensor2D;
  readonly positions: tf.Tensor2D;
  readonly items: tf.Tensor2D;
  readonly core: tf.Tensor3D;
}

export const FACTOR_NAMES = ['users', 'positions', 'items', 'core'] as const;

/** The per-position latent codes `[count, length, r3]` of users `[from, from+count)`, positions `[start, start+length)`. */
function latent(
  f: Readonly<Record<string, tf.Tensor>>,
  from: number,
  count: number,
  start: number,
  length: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [r1, r2, r3] = f.core.shape as [number, number, number];
    const mu = f.users.shape[0] as number;
    const xi = f.positions.shape[0] as number;
    const u = count === mu ? f.users : tf.slice(f.users, [from, 0], [count, r1]);
    const t = length === xi ? f.positions : tf.slice(f.positions, [start, 0], [length, r2]);
    // (U ×₁ G): [count, r2·r3], then with T: [count, length, r3].
    const ug = tf.reshape(tf.matMul(u, tf.reshape(f.core, [r1, r2 * r3])), [count, r2, r3]);
    const byItemRank = tf.reshape(tf.transpose(ug, [0, 2, 1]), [count * r3, r2]);
    const z = tf.reshape(tf.matMul(byItemRank, t, false, true), [count, r3, length]);
    return tf.transpose(z, [0, 2, 1]) as tf.Tensor3D;
  });
}

/** X = softmax(latent·Eᵀ/τ) over the items, padding excluded: `[count, length, |V|]`. */
function decode(
  f: Readonly<Record<string, tf.Tensor>>,
  temperature: number,
  from: number,
  count: number,
  start: number,
  length: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const v = f.items.shape[0] as number;
    const r3 = f.items.shape[1] as number;
    const z = latent(f, from, count, start, length);
    const logits = tf.div(
      tf.matMul(tf.reshape(z, [count * length, r3]), f.items, false, true),
      temperature,
    );
    const bias = new Float32Array(v);
    bias[0] = -1e9;
    return tf.reshape(tf.softmax(tf.add(logits, tf.tensor1d(bias))), [
      count,
      length,
      v,
    ]) as tf.Tensor3D;
  });
}

/** The whole decoded data `[μ, positions, |V|]` (for the training source and students). */
export function decodeTucker(
  f: TuckerFactors,
  temperature: number,
  start = 0,
  length?: number,
): tf.Tensor3D {
  const mu = f.users.shape[0];
  const xi = f.positions.shape[0];
  return decode(
    f as unknown as Record<string, tf.Tensor>,
    temperature,
    0,
    mu,
    start,
    length ?? xi - start,
  );
}

/**
 * The factors as the distillation kit's `SoftSequences`. `window` (TD3's augmentation of the inner
 * learner, as chosen here) decodes only positions `[start, start+length)` of every synthetic
 * sequence for this outer step; the pull-back then reaches only those rows of T.
 */
export function tuckerSequences(
  f: TuckerFactors,
  temperature: number,
  window?: { start: number; length: number },
): SoftSequences {
  const mu = f.users.shape[0];
  const vocab = f.items.shape[0];
  const start = window?.start ?? 0;
  const length = window?.length ?? f.positions.shape[0];
  const parameters = f as unknown as Record<string, tf.Tensor>;
  const pair = (p: Readonly<Record<string, tf.Tensor>>, from: number, count: number) => ({
    inputs: decode(p, temperature, from, count, start, length - 1),
    targets: decode(p, temperature, from, count, start + 1, length - 1),
  });
  return {
    parameters,
    shape: [mu, length, vocab],
    decode(chunk = 0): SyntheticData {
      const per = sequencesPerChunk(mu, length, vocab, chunk);
      const chunks: SyntheticChunk[] = [];
      for (let from = 0; from < mu; from += per) {
        const count = Math.min(per, mu - from);
        const { inputs, targets } = pair(parameters, from, count);
        const mask = tf.ones([count, length - 1]) as tf.Tensor2D;
        chunks.push({ from, count, weight: count / mu, inputs, targets, mask });
      }
      return chunks;
    },
    pullBack(cotangents: readonly ChunkCotangent[]): Record<string, tf.Tensor> {
      return tf.tidy(() => {
        const names = [...FACTOR_NAMES];
        const sums = names.map((n) => tf.zerosLike(parameters[n]));
        for (const { chunk, dInputs, dTargets } of cotangents) {
          const grads = tf.grads((...values: tf.Tensor[]) => {
            const p = Object.fromEntries(names.map((n, i) => [n, values[i]]));
            const { inputs, targets } = pair(p, chunk.from, chunk.count);
            return tf.add(tf.sum(tf.mul(inputs, dInputs)), tf.sum(tf.mul(targets, dTargets)));
          })(names.map((n) => parameters[n]));
          grads.forEach((g, i) => (sums[i] = tf.add(sums[i], g)));
        }
        return Object.fromEntries(names.map((n, i) => [n, sums[i]]));
      });
    },
    decodeWith: (p) => pair(p, 0, mu),
  };
}
