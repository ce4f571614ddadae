import type { ExperimentConfig } from '../../config/ExperimentConfig';
import type { LeaveOneOutSplit, TokenSplit } from '../../data/Dataset';
import { UserError } from '../../errors/FarziError';
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

  describe('on text', () => {
    // A stream 1, 2, …, 100 (ids as tokens; 0 is padding): every span shows where it was cut from.
    const stream = Int32Array.from({ length: 100 }, (_, i) => i + 1);
    const text: TokenSplit = {
      kind: 'tokens',
      source: 'counting',
      vocab: Vocabulary.fromRaw(Array.from({ length: 100 }, (_, i) => `w${i}`)),
      train: stream,
      valid: new Int32Array(0),
      test: new Int32Array(0),
    };
    const textConfig = { ...config, data: { format: 'text', maxLength: 8 } } as ExperimentConfig;
    const spansOf = (s: TrainingSource) =>
      [...s.batches(64, new Rng(1))].flatMap((b) => {
        const inputs = Array.from(b.inputs.dataSync());
        const targets = Array.from(b.targets.dataSync());
        b.inputs.dispose();
        b.targets.dispose();
        const L = inputs.length / b.size;
        // Windows are left-padded to maxLength: drop the padding.
        return Array.from({ length: b.size }, (_, r) => ({
          inputs: inputs.slice(r * L, (r + 1) * L).filter((t) => t !== 0),
          targets: targets.slice(r * L, (r + 1) * L).filter((t) => t !== 0),
        }));
      });

    it('random-sample takes μ distinct contiguous spans of ξ tokens (the Farzi token budget)', () => {
      const source = randomSampleSourceFactory.create(
        { users: 4, length: 6 },
        { split: text, config: textConfig },
      );
      expect(source.description).toBe(
        'random sample of 4 spans × 6 tokens of the training text (24 tokens)',
      );
      expect(source.numEvents).toBe(4 * 5); // ξ − 1 next-token targets per span
      const spans = spansOf(source);
      expect(spans).toHaveLength(4);
      const starts = new Set<number>();
      for (const { inputs, targets } of spans) {
        const start = inputs[0];
        expect((start - 1) % 6).toBe(0); // cut from the stream in ξ-token pieces
        expect(inputs).toEqual([0, 1, 2, 3, 4].map((k) => start + k));
        expect(targets).toEqual([1, 2, 3, 4, 5].map((k) => start + k));
        starts.add(start);
      }
      expect(starts.size).toBe(4);
      const again = randomSampleSourceFactory.create(
        { users: 4, length: 6, seed: 3 },
        { split: text, config: textConfig },
      );
      const other = randomSampleSourceFactory.create(
        { users: 4, length: 6, seed: 9 },
        { split: text, config: textConfig },
      );
      const key = (s: TrainingSource) =>
        spansOf(s)
          .map((x) => x.inputs[0])
          .sort((a, b) => a - b)
          .join();
      expect(key(again)).toBe([...starts].sort((a, b) => a - b).join());
      expect(key(other)).not.toBe(key(again));
    });

    it('a budget beyond the text, or head-sample (no users to rank), is a user error', () => {
      expect(() =>
        randomSampleSourceFactory.create(
          { users: 20, length: 6 },
          { split: text, config: textConfig },
        ),
      ).toThrow(
        new UserError(
          'train.source.users: 20 spans of 6 tokens need 120 tokens; the training text has 100.',
        ),
      );
      expect(() =>
        headSampleSourceFactory.create(
          { users: 2, length: 6 },
          { split: text, config: textConfig },
        ),
      ).toThrow(/"head-sample" ranks users by activity.*"random-sample" samples random spans/);
    });
  });
});
