import * as tf from '@tensorflow/tfjs';
import { Batch, Rng, TrainingSource, TrainingSourceFactory, UserError } from '@farzi/core';
import { checkVocabulary, FarziData, farziShape, loadFarziData } from './farziData';
import { decodePositions } from './synthetic';

/**
 * Farzi Data as a training source of soft sequences: inputs are positions 0..ξ−2, targets the
 * distributions at 1..ξ−1 (every position weighted 1). Sequences longer than the model's context
 * keep their last `maxLength + 1` positions.
 */
export function farziSource(
  data: FarziData,
  maxLength: number,
  label = 'Farzi Data',
): TrainingSource {
  const { sequences: mu, length: xi } = farziShape(data);
  const used = Math.min(xi, maxLength + 1);
  // Inputs and targets decoded once, each from its slice of the (small) latent.
  const inputs = decodePositions(data, xi - used, used - 1);
  const targets = decodePositions(data, xi - used + 1, used - 1);
  return {
    description: `${label} [${mu}×${xi}] (${mu * xi} events)`,
    numSequences: mu,
    numEvents: mu * (used - 1),
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
            mask: tf.ones([b, used - 1]) as tf.Tensor2D,
          };
        });
        yield { kind: 'soft', ...batch, size: b };
      }
    },
    dispose: () => tf.dispose([inputs, targets]),
  };
}

/** `train.source: {name: "farzi", path: "<file>.safetensors"}`: train any model on Farzi Data. */
export const farziSourceFactory: TrainingSourceFactory = {
  name: 'farzi',
  description: 'Farzi Data from a farzi-data.safetensors file (soft synthetic sequences)',
  schema: {
    type: 'object',
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: 'the Farzi Data file' },
      temperature: {
        type: 'number',
        exclusiveMinimum: 0,
        description:
          'read the data at this softmax temperature instead of the one it was distilled with (above it: softer distributions, below: sharper); a student-recipe setting, e.g. to soften the labels for another architecture',
      },
    },
  },
  create(options, { split, config }) {
    if (split.kind !== 'leave-one-out' && split.kind !== 'tokens')
      throw new UserError('unsupported data');
    const file = options.path as string;
    const data = loadFarziData(file);
    const temperature = (options.temperature as number | undefined) ?? data.temperature;
    try {
      checkVocabulary(file, data, split.vocab);
      const label =
        temperature === data.temperature
          ? `Farzi Data ${file}`
          : `Farzi Data ${file} read at temperature ${temperature}`;
      return farziSource({ ...data, temperature }, config.data.maxLength, label);
    } finally {
      tf.dispose([data.latent, data.decoder]);
    }
  },
};
