import { UserError } from '../../errors/FarziError';
import { Rng } from '../../random/Rng';
import type { TrainingSourceContext, TrainingSourceFactory } from '../TrainingSource';
import { sequenceSource } from './realSource';

const budgetSchema = {
  type: 'object',
  required: ['users', 'length'],
  properties: {
    users: { type: 'integer', minimum: 1, description: 'number of user sequences (μ)' },
    length: {
      type: 'integer',
      minimum: 2,
      description: 'items kept per sequence, the most recent (ξ)',
    },
    seed: {
      type: 'integer',
      minimum: 0,
      description: 'sampling seed (defaults to the experiment seed)',
    },
  },
};

function pick(
  context: TrainingSourceContext,
  chosen: (train: Int32Array[], users: number, seed: number) => number[],
  options: Record<string, unknown>,
  label: string,
) {
  const { split, config } = context;
  if (split.kind !== 'leave-one-out') {
    throw new UserError(
      `train.source.name: "${label}" samples user sequences; the data "${config.data.format}" is text.`,
    );
  }
  const users = options.users as number;
  const length = options.length as number;
  const seed = (options.seed as number | undefined) ?? config.seed;
  const indices = chosen(split.train, Math.min(users, split.train.length), seed);
  const sequences = indices.map((i) =>
    split.train[i].subarray(Math.max(0, split.train[i].length - length)),
  );
  return sequenceSource(
    `${label} sample of ${indices.length} users × last ${length} items`,
    sequences,
    config.data.maxLength,
    config.train.everyPrefix,
  );
}

/** Baseline at a data budget: μ users drawn uniformly at random, each truncated to the last ξ items. */
export const randomSampleSourceFactory: TrainingSourceFactory = {
  name: 'random-sample',
  description: 'μ random users, each truncated to their last ξ items (a baseline at equal budget)',
  schema: budgetSchema,
  create(options, context) {
    return pick(
      context,
      (train, n, seed) => Array.from(new Rng(seed).permutation(train.length).subarray(0, n)),
      options,
      'random',
    );
  },
};

/** Baseline at a data budget: the μ most active users (longest histories), truncated to ξ items. */
export const headSampleSourceFactory: TrainingSourceFactory = {
  name: 'head-sample',
  description:
    'the μ most active users, each truncated to their last ξ items (a baseline at equal budget)',
  schema: budgetSchema,
  create(options, context) {
    return pick(
      context,
      (train, n) =>
        train
          .map((s, i) => [s.length, i] as const)
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .slice(0, n)
          .map(([, i]) => i),
      options,
      'head',
    );
  },
};
