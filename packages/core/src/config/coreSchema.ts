import { KNOWN_DATASETS } from '../data/knownDatasets';
import { BACKEND_NAMES } from '../backend/selectBackend';
import type { JsonSchema } from './JsonSchema';
import { optimizerSchema } from './optimizerSchema';

export { optimizerSchema } from './optimizerSchema';

/** The top-level sections core owns. Plugins add sections (e.g. `distill`) through `ConfigSection`. */
export const coreSections: Record<string, JsonSchema> = {
  $schema: { type: 'string' },
  name: { type: 'string', description: 'a label for the experiment' },
  seed: { type: 'integer', minimum: 0, default: 42 },
  backend: { enum: [...BACKEND_NAMES], default: 'auto' },
  data: {
    type: 'object',
    additionalProperties: false,
    properties: {
      dataset: {
        enum: KNOWN_DATASETS.map((d) => d.name),
        description:
          'a known data set by name (found in --data-dir, $FARZI_DATA_DIR or ~/.cache/farzi); or give format and path',
      },
      format: { type: 'string', minLength: 1, description: 'a registered data format' },
      path: {
        type: 'string',
        minLength: 1,
        description:
          "file or folder of the data set (relative paths: from the config file's folder)",
      },
      options: { type: 'object', default: {}, description: 'settings of the data format' },
      minRating: { type: 'number', description: 'drop interactions rated below this' },
      kCore: { type: 'integer', minimum: 0, default: 0, description: 'k-core filter (0 = off)' },
      maxLength: {
        type: 'integer',
        minimum: 1,
        // Attention keeps batch × heads × L² scores: at L 4096 and batch 128 that is already 8.6 GB
        // per head, so longer windows can only fail (wasm's 4 GB heap ends far earlier).
        maximum: 4096,
        default: 50,
        description: 'items per training window (tokens per chunk for text); at most 4096',
      },
    },
  },
  model: {
    type: 'object',
    required: ['name'],
    properties: { name: { type: 'string', minLength: 1, description: 'a registered model' } },
  },
  train: {
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      source: {
        type: 'object',
        default: { name: 'real' },
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 } },
        description:
          'what to train on: "real" data, a distillation\'s data file (the source its summary names), or a sampled subset',
      },
      epochs: { type: 'integer', minimum: 1, default: 20 },
      batchSize: { type: 'integer', minimum: 1, default: 128 },
      learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
      optimizer: optimizerSchema,
      everyPrefix: {
        type: 'boolean',
        default: false,
        description: 'one example per prefix of every training sequence',
      },
      evalEvery: {
        type: 'integer',
        minimum: 0,
        default: 1,
        description: 'validate every N epochs (0 = never)',
      },
      earlyStopping: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: {
          patience: {
            type: 'integer',
            minimum: 0,
            default: 0,
            description: 'epochs without improvement (0 = off)',
          },
        },
      },
      logEvery: {
        type: 'integer',
        minimum: 1,
        default: 20,
        description: 'steps between progress events',
      },
      lengthBuckets: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'sort each group of N shuffled batches by sequence length so that short sequences share batches (models that allow trimmed batches; 0 = off)',
      },
      loss: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description:
          'next-item loss on real sequences: the full softmax over all items, or a sampled softmax',
        properties: {
          name: { enum: ['softmax', 'sampled-softmax'], default: 'softmax' },
          negatives: {
            type: 'integer',
            minimum: 1,
            default: 256,
            description: 'sampled-softmax: negatives per step (shared by the batch)',
          },
          sampling: {
            enum: ['uniform', 'popularity'],
            default: 'popularity',
            description:
              'sampled-softmax: draw negatives uniformly or by training popularity (log q corrected)',
          },
        },
      },
    },
  },
  eval: {
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      evaluator: { type: 'string', default: 'ranking', description: 'a registered evaluator' },
      protocol: { enum: ['full', 'sampled'], default: 'full' },
      negatives: {
        type: 'integer',
        minimum: 1,
        default: 100,
        description: 'sampled protocol only',
      },
      negativeSampling: { enum: ['uniform', 'popularity'], default: 'uniform' },
      maskHistory: {
        type: 'boolean',
        default: true,
        description: 'full protocol: exclude seen items',
      },
      ks: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, default: [10, 20] },
      metric: {
        type: 'string',
        default: 'NDCG@10',
        description: 'the validation metric for early stopping and best checkpoints',
      },
      batchSize: { type: 'integer', minimum: 1, default: 256 },
      validUsers: {
        type: 'integer',
        minimum: 1,
        description:
          'ranking only: validate on a fixed random sample of this many users (the same users in every run and seed); the test part always ranks every user',
      },
    },
  },
};

export const CORE_REQUIRED = ['data', 'model'];
