import { Rng } from '../random/Rng';
import { IdBatch, sequenceBatches } from './batching';

const sequences = [
  Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
  Int32Array.from([2, 3]),
  Int32Array.from([4, 5, 6]),
  Int32Array.from([7, 8, 9, 1]),
  Int32Array.from([3, 1]),
  Int32Array.from([5, 6, 7, 8, 9]),
  Int32Array.from([9]), // too short: no example
];

/** Each example's real (input, target) pairs, padding dropped, in batch order. */
function examples(batches: IdBatch[]): string[] {
  const out: string[] = [];
  for (const b of batches) {
    for (let r = 0; r < b.batchSize; r++) {
      const row: string[] = [];
      for (let c = 0; c < b.length; c++) {
        const i = b.inputs[r * b.length + c];
        const t = b.targets[r * b.length + c];
        if (i !== 0 || t !== 0) row.push(`${i}>${t}`);
      }
      out.push(row.join(' '));
    }
  }
  return out;
}

describe('sequenceBatches', () => {
  it('trimmed batches hold the same examples, each batch as wide as its longest window', () => {
    const full = [...sequenceBatches(sequences, { maxLength: 5, batchSize: 2, rng: new Rng(4) })];
    const trimmed = [
      ...sequenceBatches(sequences, { maxLength: 5, batchSize: 2, rng: new Rng(4), trim: true }),
    ];
    expect(examples(trimmed)).toEqual(examples(full));
    expect(full.map((b) => b.length)).toEqual([5, 5, 5]);
    for (const b of trimmed) {
      const longest = Math.max(...examples([b]).map((e) => e.split(' ').length));
      expect(b.length).toBe(longest);
    }
    expect(trimmed.some((b) => b.length < 5)).toBe(true);
  });

  it('length buckets keep every example once and group similar lengths', () => {
    const many = Array.from({ length: 60 }, (_, u) =>
      Int32Array.from({ length: 2 + ((u * 7) % 11) }, (_, t) => 1 + ((u + t) % 9)),
    );
    const plain = [
      ...sequenceBatches(many, { maxLength: 8, batchSize: 6, rng: new Rng(2), trim: true }),
    ];
    const bucketed = [
      ...sequenceBatches(many, {
        maxLength: 8,
        batchSize: 6,
        rng: new Rng(2),
        trim: true,
        lengthBuckets: 5,
      }),
    ];
    expect(examples(bucketed).sort()).toEqual(examples(plain).sort());
    const width = (bs: IdBatch[]) => bs.reduce((n, b) => n + b.length * b.batchSize, 0);
    expect(width(bucketed)).toBeLessThan(0.8 * width(plain));
    // Deterministic for a seed.
    const again = [
      ...sequenceBatches(many, {
        maxLength: 8,
        batchSize: 6,
        rng: new Rng(2),
        trim: true,
        lengthBuckets: 5,
      }),
    ];
    expect(examples(again)).toEqual(examples(bucketed));
  });
});
