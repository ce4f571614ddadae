import { Rng } from './Rng';

describe('Rng.fillMask', () => {
  it.each([0, 0.3, 0.5, 0.99, 1])(
    'takes two values per draw of the nextUint32 sequence (rate %p)',
    (rate) => {
      const bound = Math.ceil(rate * 65536);
      const fast = new Rng(11);
      const reference = new Rng(11);
      const mask = new Float32Array(1001); // odd: the last draw gives one value
      const keepProbability = fast.fillMask(mask, rate, 2.5);
      const expected: number[] = [];
      for (let i = 0; i < 501; i++) {
        const u = reference.nextUint32();
        expected.push((u & 0xffff) >= bound ? 2.5 : 0, u >>> 16 >= bound ? 2.5 : 0);
      }
      expect(Array.from(mask)).toEqual(expected.slice(0, 1001));
      expect(fast.getState()).toEqual(reference.getState());
      expect(keepProbability).toBe((65536 - bound) / 65536);
    },
  );
});

describe('Rng.pickCumulative', () => {
  it('draws indices in proportion to their weights, never below `from`, one draw each', () => {
    // Weights 0 (skipped from index 1), 1, 3, 0, 4 → running sums.
    const cumulative = Float64Array.from([5, 6, 9, 9, 13]);
    const rng = new Rng(11);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[rng.pickCumulative(cumulative, 1)]++;
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0); // zero weight
    // From index 1, mass 13 − 0 over [0, 13): index 1 also takes the span below cumulative[0].
    expect(counts[1] / 40_000).toBeCloseTo(6 / 13, 1);
    expect(counts[2] / 40_000).toBeCloseTo(3 / 13, 1);
    expect(counts[4] / 40_000).toBeCloseTo(4 / 13, 1);
    const a = new Rng(3);
    const b = new Rng(3);
    a.pickCumulative(cumulative);
    b.next();
    expect(a.getState()).toEqual(b.getState());
  });
});
