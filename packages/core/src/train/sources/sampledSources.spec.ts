import type { ExperimentConfig } from '../../config/ExperimentConfig';
import type { LeaveOneOutSplit } from '../../data/Dataset';
import { Vocabulary } from '../../data/Vocabulary';
import { Rng } from '../../random/Rng';
import type { TrainingSource } from '../TrainingSource';
import { headSampleSourceFactory, randomSampleSourceFactory } from './sampledSources';

// Short histories, as on the Amazon data: training lengths 2..7 (users 0..11).
const train = Array.from({ length: 12 }, (_, u) =>
  Int32Array.from({ length: 2 + (u % 6) }, (_, t) => 1 + ((u + t) % 9)),
);
const split: LeaveOneOutSplit = {
  kind: 'leave-one-out',
  source: 'short',
  vocab: Vocabulary.fromRaw(Array.from({ length: 9 }, (_, i) => `i${i + 1}`)),
  users: train.map((_, u) => `u${u}`),
  train,
  valid: { userIndex: new Int32Array(0), histories: [], targets: new Int32Array(0) },
  test: { userIndex: new Int32Array(0), histories: [], targets: new Int32Array(0) },
};
const config = {
  seed: 3,
  data: { format: 'x', maxLength: 50 },
  train: { everyPrefix: false },
} as unknown as ExperimentConfig;

/** Every training target the source's epoch holds. */
function countTargets(source: TrainingSource): { sequences: number; targets: number } {
  let targets = 0;
  let sequences = 0;
  for (const b of source.batches(64, new Rng(1))) {
    targets += Array.from(b.targets.dataSync()).filter((t) => t !== 0).length;
    sequences += b.size;
    b.inputs.dispose();
    b.targets.dispose();
  }
  return { sequences, targets };
}

describe('sampling baselines', () => {
  it('fill the event budget μ×ξ exactly, adding users until it is reached', () => {
    for (const factory of [randomSampleSourceFactory, headSampleSourceFactory]) {
      const source = factory.create({ users: 2, length: 5 }, { split, config });
      const counted = countTargets(source);
      expect(counted.targets).toBe(10);
      expect(source.numEvents).toBe(10);
      expect(counted.sequences).toBeGreaterThan(2); // short histories: more than μ users
      expect(source.description).toMatch(
        new RegExp(`at the \\[2×5\\] event budget: ${counted.sequences} users .*, 10 events`),
      );
    }
  });

  it('take the most active users first (head), a seeded random order (random)', () => {
    const head = headSampleSourceFactory.create({ users: 2, length: 7 }, { split, config });
    // Users 5 and 11 have 7 items (6 targets each); 14 events need a third user, cut to fit.
    expect(countTargets(head)).toEqual({ sequences: 3, targets: 14 });
    const a = randomSampleSourceFactory.create({ users: 3, length: 4 }, { split, config });
    const b = randomSampleSourceFactory.create({ users: 3, length: 4, seed: 3 }, { split, config });
    const c = randomSampleSourceFactory.create({ users: 3, length: 4, seed: 4 }, { split, config });
    expect(a.description).toBe(b.description);
    const first = (s: TrainingSource) => {
      const batch = [...s.batches(64, new Rng(1))][0];
      return Array.from(batch.inputs.dataSync()).join(',');
    };
    expect(first(a)).toBe(first(b));
    expect(first(a)).not.toBe(first(c));
  });

  it('keep the old form as an option: exactly μ users × last ξ items', () => {
    const source = randomSampleSourceFactory.create(
      { users: 2, length: 5, budget: 'users' },
      { split, config },
    );
    expect(countTargets(source).sequences).toBe(2);
    expect(source.description).toMatch(/random sample of 2 users × last 5 items/);
  });
});
