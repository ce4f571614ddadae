import * as tf from '@tensorflow/tfjs';
import { TrainingSource, TrainingSourceFactory, UserError } from '@farzi/core';
import { softSequenceSource } from '@farzi/distill-kit';
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
  return softSequenceSource(
    decodePositions(data, xi - used, used - 1),
    decodePositions(data, xi - used + 1, used - 1),
    `${label} [${mu}×${xi}] (${mu * xi} events)`,
  );
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
