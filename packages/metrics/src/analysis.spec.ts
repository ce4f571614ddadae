import { LeaveOneOutSplit, Vocabulary } from '@farzi/core';
import { itemPopularityBuckets, metricsByBucket, userHistoryBuckets } from './analysis';

// Five users with training histories of length 1, 2, 3, 5, 8 over items 1..10.
const train = [[1], [1, 2], [1, 2, 3], [1, 2, 3, 4, 5], [1, 1, 2, 6, 7, 8, 9, 10]].map((s) =>
  Int32Array.from(s),
);
const split = {
  kind: 'leave-one-out',
  source: 't',
  vocab: Vocabulary.fromRaw(Array.from({ length: 10 }, (_, i) => String(i + 1))),
  users: ['a', 'b', 'c', 'd', 'e'],
  train,
} as unknown as LeaveOneOutSplit;

describe('cold-start and tail buckets', () => {
  it('buckets users by history length with given boundaries and counts them', () => {
    const b = userHistoryBuckets(split, [2, 4]);
    expect(b.labels).toEqual(['1–2 items', '3–4 items', '> 4 items']);
    expect(Array.from(b.of)).toEqual([0, 0, 1, 2, 2]);
  });

  it('uses tertiles of the history lengths by default', () => {
    const b = userHistoryBuckets(split);
    // sorted lengths 1,2,3,5,8: tertile positions round(4/3)=1 → 2, round(8/3)=3 → 5
    expect(b.labels).toEqual(['1–2 items', '3–5 items', '> 5 items']);
    expect(Array.from(b.of)).toEqual([0, 0, 1, 1, 2]);
  });

  it('splits targets into head, torso and tail by training popularity', () => {
    // counts: item1 6, item2 4, item3 2, item4..10 1 (ties by id). 10 items: head = top 2, torso = next 3.
    const b = itemPopularityBuckets(split, Int32Array.from([1, 2, 3, 5, 6, 10]));
    expect(Array.from(b.of)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(b.labels[0]).toBe('head (top 20% items)');
  });

  it('computes metrics within each bucket', () => {
    const b = { dimension: 'x', labels: ['A', 'B'], of: Int32Array.from([0, 1, 0, 1]) };
    const r = metricsByBucket(
      Float32Array.from([1, 20, 3, 2]),
      Float32Array.from([50, 50, 50, 50]),
      b,
      [10],
    );
    expect(r.map((x) => x.size)).toEqual([2, 2]);
    expect(r[0].metrics['HR@10']).toBe(1);
    expect(r[1].metrics['HR@10']).toBe(0.5);
    expect(r[1].metrics['NDCG@10']).toBeCloseTo(0.5 / Math.log2(3), 10);
  });
});
