import { firstDifference } from './reuse';

describe('firstDifference', () => {
  it('names the first differing field, nested, with both values', () => {
    expect(firstDifference({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toBeUndefined();
    expect(firstDifference({ a: 1, b: { c: 0.5, d: 1 } }, { a: 1, b: { c: 0, d: 1 } })).toEqual({
      path: 'b.c',
      wanted: '0.5',
      had: '0',
    });
    expect(firstDifference({ t: { lr: 1 } }, { t: {} })).toEqual({
      path: 't.lr',
      wanted: '1',
      had: '(not set)',
    });
    expect(firstDifference({ s: [20, 15] }, { s: [50, 20] })).toEqual({
      path: 's.0',
      wanted: '20',
      had: '50',
    });
    expect(firstDifference(1, 2)).toEqual({ path: '(the whole config)', wanted: '1', had: '2' });
  });
});
