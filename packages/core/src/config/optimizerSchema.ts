import type { JsonSchema } from './JsonSchema';

/** Optimiser settings shared by the trainer and plugins that train (the Farzi inner loop). */
export const optimizerSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    name: { enum: ['adam', 'sgd'], default: 'adam' },
    beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 },
    beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999 },
    eps: { type: 'number', exclusiveMinimum: 0, default: 1e-8 },
    epsRoot: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'added to v̂ inside the square root (keeps the update differentiable at v = 0)',
    },
    weightDecay: { type: 'number', minimum: 0, default: 0, description: 'decoupled (AdamW)' },
    clipNorm: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'clip the global gradient norm to this value (0 = off)',
    },
    momentum: {
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0,
      description: 'SGD only',
    },
  },
};
