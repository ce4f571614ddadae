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
