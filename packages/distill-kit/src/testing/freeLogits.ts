import * as tf from '@tensorflow/tfjs-core';
import { ChunkCotangent, SoftSequences, SyntheticData, sequencesPerChunk } from '../softSequences';

/**
 * The simplest parameterisation a method could choose: one free logit per synthetic position and
 * item, X = softmax(Z) with Z `[μ, ξ, |V|]` (no latent factors). The kit's tests use it to show the
 * meta-gradient works for any `SoftSequences`, not only Farzi's F·M.
 */
export function freeLogitsSequences(logits: tf.Tensor3D): SoftSequences {
  const [mu, xi, vocab] = logits.shape;
  const decodeRows = (z: tf.Tensor, from: number, count: number) =>
    tf.tidy(() => {
      const rows = tf.slice(z, [from, 0, 0], [count, xi, vocab]);
      const x = tf.softmax(rows);
      return {
        inputs: tf.slice(x, [0, 0, 0], [count, xi - 1, vocab]) as tf.Tensor3D,
        targets: tf.slice(x, [0, 1, 0], [count, xi - 1, vocab]) as tf.Tensor3D,
      };
    });
  return {
    parameters: { logits },
    shape: [mu, xi, vocab],
    decode(chunk = 0): SyntheticData {
      const per = sequencesPerChunk(mu, xi, vocab, chunk);
      const out = [];
      for (let from = 0; from < mu; from += per) {
        const count = Math.min(per, mu - from);
        const { inputs, targets } = decodeRows(logits, from, count);
        out.push({
          from,
          count,
          weight: count / mu,
          inputs,
          targets,
          mask: tf.ones([count, xi - 1]) as tf.Tensor2D,
        });
      }
      return out;
    },
    pullBack(cotangents: readonly ChunkCotangent[]) {
      return tf.tidy(() => {
        const parts = cotangents.map(({ chunk, dInputs, dTargets }) =>
          tf.grad((z: tf.Tensor) => {
            const { inputs, targets } = decodeRows(z, 0, chunk.count);
            return tf.add(tf.sum(tf.mul(inputs, dInputs)), tf.sum(tf.mul(targets, dTargets)));
          })(tf.slice(logits, [chunk.from, 0, 0], [chunk.count, xi, vocab])),
        );
        return { logits: parts.length === 1 ? parts[0] : tf.concat(parts, 0) };
      });
    },
    decodeWith: ({ logits: z }) => decodeRows(z, 0, mu),
  };
}
