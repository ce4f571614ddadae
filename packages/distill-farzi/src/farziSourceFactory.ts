import * as tf from '@tensorflow/tfjs-core';
import { TrainingSourceFactory, UserError } from '@farzi/core';
import { checkVocabulary, loadFarziData } from './farziData';
import { farziSource } from './farziSource';

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
