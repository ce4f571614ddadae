import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Rng, TrainingSource } from '@farzi/core';

/**
 * Decoded soft sequences as a training source: `inputs` and `targets` `[μ, L, |V|]` (rows are
 * distributions; target t is the next position of input t), every position weighted 1, batches
 * of sequences in an order fixed by the trainer's RNG. Takes ownership of both tensors (freed by
 * `dispose`). What any method's data file decodes to; Farzi's `farzi` source is one user.
 */
export function softSequenceSource(
  inputs: tf.Tensor3D,
  targets: tf.Tensor3D,
  description: string,
): TrainingSource {
  const [mu, length] = inputs.shape;
  return {
    description,
    numSequences: mu,
    numEvents: mu * length,
    *batches(batchSize: number, rng: Rng): Generator<Batch> {
      const order = rng.permutation(mu);
      for (let start = 0; start < mu; start += batchSize) {
        const rows = order.slice(start, start + batchSize);
        const b = rows.length;
        const batch = tf.tidy(() => {
          const picked = tf.tensor1d(rows, 'int32');
          return {
            inputs: tf.gather(inputs, picked) as tf.Tensor3D,
            targets: tf.gather(targets, picked) as tf.Tensor3D,
            mask: tf.ones([b, length]) as tf.Tensor2D,
          };
        });
        yield { kind: 'soft', ...batch, size: b };
      }
    },
    dispose: () => tf.dispose([inputs, targets]),
  };
}
