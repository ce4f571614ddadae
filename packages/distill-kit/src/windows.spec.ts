import { Rng } from '@farzi/core';
import { realWindows } from './realData';
import { selectWindows, windowSelectionSchema, windowStats } from './windows';

const seqs = (...xs: number[][]) => xs.map((x) => Int32Array.from(x));
const rows = (ids: Int32Array, xi: number) =>
  Array.from({ length: ids.length / xi }, (_, i) => Array.from(ids.subarray(i * xi, i * xi + xi)));

/** A catalogue where most long users repeat the same head items and a few hold the rest. */
function catalogue(rng: Rng): Int32Array[] {
  const out: Int32Array[] = [];
  for (let u = 0; u < 300; u++) {
    const len = 4 + rng.int(10);
    const head = u % 10 !== 0;
    out.push(Int32Array.from({ length: len }, () => (head ? 1 + rng.int(8) : 9 + rng.int(190))));
  }
  return out;
}

describe('selectWindows', () => {
  it('"random" is realWindows', () => {
    const data = catalogue(new Rng(1));
    expect(selectWindows(data, 5, 4, new Rng(3), 'random')).toEqual(
      realWindows(data, 5, 4, new Rng(3)),
    );
  });

  it('"coverage" takes the window adding the most new items at every step (a naive greedy checks it)', () => {
    const data = catalogue(new Rng(2));
    const [mu, xi] = [12, 4];
    for (const seed of [1, 2, 3]) {
      const chosen = rows(selectWindows(data, mu, xi, new Rng(seed), 'coverage'), xi);
      // Every window is some user's last ξ items, each user at most once.
      const lasts = data.filter((s) => s.length >= xi).map((s) => Array.from(s.subarray(-xi)));
      const used = new Set<number>();
      const covered = new Set<number>();
      for (const w of chosen) {
        const k = lasts.findIndex((l, i) => !used.has(i) && l.join() === w.join());
        expect(k).toBeGreaterThanOrEqual(0);
        used.add(k);
        // Its gain is the largest any unused window would have added.
        const gainOf = (l: number[]) => new Set(l.filter((x) => !covered.has(x))).size;
        const best = Math.max(...lasts.filter((_, i) => !used.has(i)).map(gainOf), gainOf(w));
        expect(gainOf(w)).toBe(best);
        w.forEach((x) => covered.add(x));
      }
    }
  });

  it('holds more distinct items and less head than random windows of the same users', () => {
    const data = catalogue(new Rng(4));
    const V = 200;
    const random = windowStats(data, selectWindows(data, 20, 4, new Rng(5), 'random'), V);
    const coverage = windowStats(data, selectWindows(data, 20, 4, new Rng(5), 'coverage'), V);
    expect(coverage.items).toBeGreaterThan(random.items + 20);
    expect(coverage.headShare).toBeLessThan(random.headShare);
    expect(coverage.realHeadShare).toBe(random.realHeadShare);
  });

  it('falls back to realWindows when no more than μ users have ξ items', () => {
    const data = seqs([1, 2, 3], [4, 5], [6, 7, 8]);
    expect(selectWindows(data, 2, 3, new Rng(1), 'coverage')).toEqual(
      realWindows(data, 2, 3, new Rng(1)),
    );
    expect(() => selectWindows([], 1, 3, new Rng(1), 'coverage')).toThrow(
      'the training data has no sequences',
    );
  });

  it('counts distinct items and the head share by hand', () => {
    // Counts: item 1 ×4, 2 ×2, 3..9 ×1 each; 9 items, the head is the top round(0.2·9) = 2 (1, 2).
    const data = seqs([1, 1, 2, 3], [1, 1, 2, 4, 5], [6, 7, 8, 9]);
    const stats = windowStats(data, Int32Array.from([1, 3, 4, 4]), 10);
    expect(stats.items).toBe(3);
    expect(stats.headShare).toBeCloseTo(1 / 4, 12);
    expect(stats.realHeadShare).toBeCloseTo(6 / 13, 12);
    expect(windowSelectionSchema.enum).toEqual(['random', 'coverage']);
  });
});
