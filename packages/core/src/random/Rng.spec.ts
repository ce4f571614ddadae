import { Rng } from './Rng';

describe('Rng.fillMask', () => {
  it('draws the same sequence as nextUint32 and leaves the generator where it would be', () => {
    const threshold = 0.3 * 4294967296;
    const fast = new Rng(11);
    const reference = new Rng(11);
    const mask = new Float32Array(1000);
    fast.fillMask(mask, threshold, 2.5);
    const expected = Float32Array.from({ length: 1000 }, () =>
      reference.nextUint32() >= threshold ? 2.5 : 0,
    );
    expect(Array.from(mask)).toEqual(Array.from(expected));
    expect(fast.getState()).toEqual(reference.getState());
    expect(fast.nextUint32()).toBe(reference.nextUint32());
  });
});
