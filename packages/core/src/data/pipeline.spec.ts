import { Rng } from '../random/Rng';
import { InteractionLogBuilder } from './InteractionLog';
import { buildSequences } from './buildSequences';
import { filterKCore, filterMinRating } from './filters';
import { leaveOneOut, tokenSplit } from './split';
import { sequenceBatches, tokenBatches, leftPadded } from './batching';
import { sequenceStatistics } from './statistics';

function log(events: [string, string, number, number][]) {
  const b = new InteractionLogBuilder('test', true, true);
  for (const [u, i, r, t] of events) b.add(u, i, r, t);
  return b.build();
}

describe('sequences', () => {
  it('orders each user by timestamp with ties in file order, and indexes items from 1', () => {
    const data = buildSequences(
      log([
        ['u1', 'a', 5, 30],
        ['u2', 'b', 5, 10],
        ['u1', 'b', 5, 10],
        ['u1', 'c', 5, 30],
        ['u1', 'd', 5, 20],
      ]),
    );
    expect(data.users).toEqual(['u1', 'u2']);
    expect(data.vocab.tokens).toEqual(['<pad>', 'a', 'b', 'c', 'd']);
    const raw = data.sequences.map((s) => Array.from(s, (i) => data.vocab.tokenOf(i)));
    expect(raw).toEqual([['b', 'd', 'a', 'c'], ['b']]);
  });

  it('filters by minimum rating and by k-core until stable', () => {
    const events: [string, string, number, number][] = [
      ['u1', 'a', 5, 1],
      ['u1', 'b', 5, 2],
      ['u2', 'a', 5, 1],
      ['u2', 'b', 5, 2],
      ['u3', 'a', 5, 1],
      ['u3', 'c', 1, 2],
    ];
    expect(filterMinRating(log(events), 4).user.length).toBe(5);
    // 2-core: item c has one event → drop; then u3 has one event → drop; a and b keep 2 users each.
    const core = buildSequences(filterKCore(log(events), 2));
    expect(core.users).toEqual(['u1', 'u2']);
    expect(core.vocab.numTokens).toBe(2);
  });

  it('computes statistics', () => {
    const data = buildSequences(
      log([
        ['u1', 'a', 5, 1],
        ['u1', 'b', 5, 2],
        ['u1', 'c', 5, 3],
        ['u2', 'a', 5, 1],
      ]),
    );
    expect(sequenceStatistics(data)).toEqual({
      kind: 'sequences',
      source: 'test',
      users: 2,
      items: 3,
      interactions: 4,
      sequenceLength: { min: 1, median: 2, mean: 2, max: 3 },
      density: 4 / 6,
    });
  });
});

describe('leave-one-out split', () => {
  it('holds out the last item for test and the second last for validation, dropping short users', () => {
    const data = buildSequences(
      log([
        ['u1', 'a', 5, 1],
        ['u1', 'b', 5, 2],
        ['u1', 'c', 5, 3],
        ['u1', 'd', 5, 4],
        ['u2', 'a', 5, 1],
        ['u2', 'b', 5, 2],
      ]),
    );
    const split = leaveOneOut(data);
    expect(split.users).toEqual(['u1']);
    expect(Array.from(split.train[0])).toEqual([1, 2]);
    expect(Array.from(split.valid.histories[0])).toEqual([1, 2]);
    expect(split.valid.targets[0]).toBe(3);
    expect(Array.from(split.test.histories[0])).toEqual([1, 2, 3]);
    expect(split.test.targets[0]).toBe(4);
  });

  it('rejects data where no user has 3 interactions', () => {
    const data = buildSequences(log([['u1', 'a', 5, 1]]));
    expect(() => leaveOneOut(data)).toThrow(/no user has the 3 interactions/);
  });
});

describe('batching', () => {
  const seqs = [Int32Array.from([1, 2, 3, 4, 5]), Int32Array.from([6, 7])];

  it('left-pads the last items', () => {
    expect(Array.from(leftPadded([1, 2, 3], 5))).toEqual([0, 0, 1, 2, 3]);
    expect(Array.from(leftPadded([1, 2, 3], 2))).toEqual([2, 3]);
  });

  it('makes one window per sequence with next-item targets', () => {
    const [batch] = [...sequenceBatches(seqs, { maxLength: 3, batchSize: 8 })];
    expect(batch.batchSize).toBe(2);
    expect(Array.from(batch.inputs)).toEqual([2, 3, 4, 0, 0, 6]);
    expect(Array.from(batch.targets)).toEqual([3, 4, 5, 0, 0, 7]);
  });

  it('makes one example per prefix with the target at the last position', () => {
    const batches = [...sequenceBatches(seqs, { maxLength: 3, batchSize: 2, everyPrefix: true })];
    expect(batches.map((b) => b.batchSize)).toEqual([2, 2, 1]);
    const inputs = batches.flatMap((b) => Array.from(b.inputs));
    const targets = batches.flatMap((b) => Array.from(b.targets));
    expect(inputs).toEqual([0, 0, 1, 0, 1, 2, 1, 2, 3, 2, 3, 4, 0, 0, 6]);
    expect(targets).toEqual([0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0, 5, 0, 0, 7]);
  });

  it('shuffles deterministically from the seed', () => {
    const many = Array.from({ length: 50 }, (_, i) => Int32Array.from([i + 1, i + 2]));
    const order = (seed: number) =>
      [...sequenceBatches(many, { maxLength: 1, batchSize: 50, rng: new Rng(seed) })][0].inputs;
    expect(Array.from(order(1))).toEqual(Array.from(order(1)));
    expect(Array.from(order(1))).not.toEqual(Array.from(order(2)));
    expect(Array.from(order(1)).sort((a, b) => a - b)).toEqual(many.map((s) => s[0]));
  });

  it('cuts a token stream into contiguous chunks', () => {
    const stream = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const [batch] = [...tokenBatches(stream, { length: 3, batchSize: 4 })];
    expect(batch.batchSize).toBe(2);
    expect(Array.from(batch.inputs)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(batch.targets)).toEqual([2, 3, 4, 5, 6, 7]);
  });
});

describe('token split', () => {
  it('builds a frequency-ordered vocabulary from the training part and maps unknown words to <unk>', () => {
    const split = tokenSplit({
      source: 't',
      train: ['b', 'a', 'b', '<unk>', '<eos>'],
      valid: ['a', 'zzz'],
      test: ['b'],
    });
    expect(split.vocab.tokens).toEqual(['<pad>', 'b', 'a', '<unk>', '<eos>']);
    expect(Array.from(split.valid)).toEqual([2, 3]);
    expect(() => tokenSplit({ source: 't', train: ['a'], valid: ['b'], test: [] })).toThrow(
      /the valid part has the word "b"/,
    );
  });
});

describe('Rng', () => {
  it('restores exactly from its state', () => {
    const a = new Rng(7);
    a.next();
    const b = new Rng(a.getState());
    expect([a.next(), a.nextUint32(), a.int(10)]).toEqual([b.next(), b.nextUint32(), b.int(10)]);
  });
});
