import * as tf from '@tensorflow/tfjs-core';
import {
  EvalConfig,
  LeaveOneOutSplit,
  Model,
  selectBackend,
  UserError,
  Vocabulary,
} from '@farzi/core';
import { languageModelEvaluator } from './languageModelEvaluator';
import { rankingEvaluator, validationSample } from './rankingEvaluator';

const V = 13; // padding + items 1..12

/** Scores item (last input item + 1) highest at every position, the others by a fixed order. */
const nextItemModel: Model = {
  name: 'next-item',
  vocabSize: V,
  maxLength: 4,
  hyperParameters: {},
  parameterCount: () => 0,
  init: () => ({}),
  apply(_params, input) {
    return tf.tidy(() => {
      const [b, L] = input.shape;
      const last = tf.reshape(tf.slice(input, [0, L - 1], [b, 1]), [b]);
      const hit = tf.cast(tf.oneHot(tf.cast(tf.add(last, 1), 'int32'), V), 'float32');
      const base = tf.expandDims(tf.linspace(0, 0.5, V), 0);
      return tf.tile(tf.expandDims(tf.add(hit, base), 1), [1, L, 1]) as tf.Tensor3D;
    });
  },
};

// Ten users: user u's history is [u + 1] and its validation target is u + 2 for even u (a hit at
// rank 1), item 12 for odd u (not the model's first choice); the test part is every user's hit.
const users = Array.from({ length: 10 }, (_, u) => u);
const split: LeaveOneOutSplit = {
  kind: 'leave-one-out',
  source: 'hand',
  vocab: Vocabulary.fromRaw(Array.from({ length: 12 }, (_, i) => `i${i + 1}`)),
  users: users.map((u) => `u${u}`),
  train: users.map((u) => Int32Array.from([u + 1])),
  valid: {
    userIndex: Int32Array.from(users),
    histories: users.map((u) => Int32Array.from([u + 1])),
    targets: Int32Array.from(users, (u) => (u % 2 === 0 ? u + 2 : 12)),
  },
  test: {
    userIndex: Int32Array.from(users),
    histories: users.map((u) => Int32Array.from([u + 1])),
    targets: Int32Array.from(users, (u) => u + 2),
  },
};

const config = (validUsers?: number): EvalConfig => ({
  evaluator: 'ranking',
  protocol: 'full',
  negatives: 100,
  negativeSampling: 'uniform',
  maskHistory: true,
  ks: [1],
  metric: 'HR@1',
  batchSize: 3,
  ...(validUsers !== undefined ? { validUsers } : {}),
});

const evaluate = (part: 'valid' | 'test', validUsers?: number) =>
  rankingEvaluator.evaluate({
    model: nextItemModel,
    params: {},
    split,
    part,
    config: config(validUsers),
    seed: 42,
  });

describe('eval.validUsers: validation on a fixed sample of users', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('keeps distinct users in user order, the same ones on every call, the whole set when asked for as many', () => {
    const a = validationSample(split.valid, 4);
    expect(a.targets.length).toBe(4);
    const kept = Array.from(a.userIndex);
    expect(new Set(kept).size).toBe(4);
    expect(kept).toEqual([...kept].sort((x, y) => x - y));
    kept.forEach((u, i) => {
      expect(a.targets[i]).toBe(split.valid.targets[u]);
      expect(Array.from(a.histories[i])).toEqual(Array.from(split.valid.histories[u]));
    });
    expect(Array.from(validationSample(split.valid, 4).userIndex)).toEqual(kept);
    expect(validationSample(split.valid, 10)).toBe(split.valid);
    expect(validationSample(split.valid, 50)).toBe(split.valid);
    expect(validationSample(split.valid, undefined)).toBe(split.valid);
  });

  it('scores only the sampled users on validation, says so, and leaves the test part whole', async () => {
    const whole = await evaluate('valid');
    expect(whole.count).toBe(10);
    expect(whole.metrics['HR@1']).toBeCloseTo(0.5);
    expect(whole.protocol).not.toMatch(/sample/);

    const sample = await evaluate('valid', 4);
    const kept = Array.from(validationSample(split.valid, 4).userIndex);
    const hits = kept.filter((u) => u % 2 === 0).length; // computed from the hand-made targets
    expect(sample.count).toBe(4);
    expect(sample.metrics['HR@1']).toBeCloseTo(hits / 4);
    expect(sample.protocol).toMatch(/validation on a fixed sample of 4 of 10 users/);

    const test = await evaluate('test', 4);
    expect(test.count).toBe(10);
    expect(test.metrics['HR@1']).toBeCloseTo(1);
    expect(test.protocol).not.toMatch(/sample/);
  });

  it('is refused by the language-model evaluator with the field named', () => {
    expect(() =>
      languageModelEvaluator.check?.(
        { ...config(100), evaluator: 'language-model', metric: 'perplexity' },
        split,
      ),
    ).toThrow(UserError);
    expect(() =>
      languageModelEvaluator.check?.(
        { ...config(100), evaluator: 'language-model', metric: 'perplexity' },
        split,
      ),
    ).toThrow(/eval\.validUsers: 100/);
  });
});
