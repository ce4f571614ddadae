import { UserError } from '../../errors/FarziError';
import { Rng } from '../../random/Rng';
import type { TrainingSourceContext, TrainingSourceFactory } from '../TrainingSource';
import { sequenceSource } from './realSource';

const budgetSchema = {
  type: 'object',
  required: ['users', 'length'],
  properties: {
    users: {
      type: 'integer',
      minimum: 1,
      description: 'number of user sequences (μ); on text, of spans',
    },
    length: {
      type: 'integer',
      minimum: 2,
      description: 'items kept per sequence, the most recent (ξ); on text, tokens per span',
    },
    seed: {
      type: 'integer',
      minimum: 0,
      description: 'sampling seed (defaults to the experiment seed)',
    },
    budget: {
      enum: ['events', 'users'],
      default: 'events',
      description:
        '"events": add users (each cut to its last ξ items) until μ×ξ training targets are reached, the last one cut to fit — the budget of Farzi Data [μ×ξ] on any data; "users": exactly μ users × last ξ items (fewer events on short histories)',
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
  const users = options.users as number;
  const length = options.length as number;
  const seed = (options.seed as number | undefined) ?? config.seed;
  if (split.kind !== 'leave-one-out') {
    if (label !== 'random') {
      throw new UserError(
        `train.source.name: "${label}-sample" ranks users by activity, and the data "${config.data.format}" is text (no users); "random-sample" samples random spans of text.`,
      );
    }
    return randomSpans(split.train, users, length, seed, config);
  }
  const L = config.data.maxLength;
  const budget = (options.budget as 'events' | 'users' | undefined) ?? 'events';
  // Training targets a sequence gives (as the source counts them: the window is maxLength + 1).
  const targets = (n: number) => Math.max(0, Math.min(n, L + 1) - 1);
  const recent = (i: number, n: number) =>
    split.train[i].subarray(Math.max(0, split.train[i].length - n));
  let sequences: Int32Array[];
  if (budget === 'users') {
    const indices = chosen(split.train, Math.min(users, split.train.length), seed);
    sequences = indices.map((i) => recent(i, length));
  } else {
    const wanted = users * length;
    const order = chosen(split.train, split.train.length, seed);
    sequences = [];
    let events = 0;
    for (const i of order) {
      if (events >= wanted) break;
      let s = recent(i, length);
      const room = wanted - events;
      if (targets(s.length) > room) s = s.subarray(s.length - (room + 1)); // the last user cut to fit
      if (targets(s.length) === 0) continue;
      sequences.push(s);
      events += targets(s.length);
    }
  }
  const events = sequences.reduce((n, s) => n + targets(s.length), 0);
  const what =
    budget === 'users'
      ? `${label} sample of ${sequences.length} users × last ${length} items`
      : `${label} sample at the [${users}×${length}] event budget: ${sequences.length} users (last ≤ ${length} items each), ${events} events`;
  return sequenceSource(what, sequences, config.data.maxLength, config.train.everyPrefix);
}

/**
 * Text at the token budget of Farzi Data [μ×ξ]: μ distinct spans of ξ consecutive training tokens
 * (each ξ − 1 next-token targets), drawn at random from the stream cut into ξ-token pieces.
 */
function randomSpans(
  stream: Int32Array,
  spans: number,
  length: number,
  seed: number,
  config: TrainingSourceContext['config'],
) {
  const pieces = Math.floor(stream.length / length);
  if (spans > pieces) {
    throw new UserError(
      `train.source.users: ${spans} spans of ${length} tokens need ${spans * length} tokens; the training text has ${stream.length}.`,
    );
  }
  const starts = Array.from(
    new Rng(seed).permutation(pieces).subarray(0, spans),
    (k) => k * length,
  );
  const sequences = starts.map((start) => stream.subarray(start, start + length));
  return sequenceSource(
    `random sample of ${spans} spans × ${length} tokens of the training text (${spans * length} tokens)`,
    sequences,
    config.data.maxLength,
    config.train.everyPrefix,
  );
}

/**
 * Baseline at a data budget: users drawn uniformly at random, each truncated to the last ξ items,
 * until μ×ξ training events (or, with `budget: "users"`, exactly μ users).
 */
export const randomSampleSourceFactory: TrainingSourceFactory = {
  name: 'random-sample',
  description:
    'random users, each truncated to their last ξ items, filling the event budget μ×ξ; on text, μ random spans of ξ tokens (a baseline at equal budget)',
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

/**
 * Baseline at a data budget: the most active users (longest histories) first, truncated to ξ items,
 * until μ×ξ training events (or, with `budget: "users"`, exactly μ users).
 */
export const headSampleSourceFactory: TrainingSourceFactory = {
  name: 'head-sample',
  description:
    'the most active users, each truncated to their last ξ items, filling the event budget μ×ξ (a baseline at equal budget)',
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
