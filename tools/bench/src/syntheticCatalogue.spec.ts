import { syntheticUserSequences } from './syntheticCatalogue';

describe('syntheticUserSequences', () => {
  it('is deterministic for a seed and shaped like the Amazon files', () => {
    const text = syntheticUserSequences({ events: 5000, items: 300, seed: 3 });
    expect(syntheticUserSequences({ events: 5000, items: 300, seed: 3 })).toBe(text);
    expect(syntheticUserSequences({ events: 5000, items: 300, seed: 4 })).not.toBe(text);
    const lines = text.trim().split('\n');
    const lengths = lines.map((l) => l.split(' ').length - 1);
    const events = lengths.reduce((a, b) => a + b, 0);
    expect(events).toBeGreaterThanOrEqual(5000);
    expect(events - lengths[lengths.length - 1]).toBeLessThan(5000);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(5);
    expect(events / lines.length).toBeGreaterThan(7);
    expect(events / lines.length).toBeLessThan(11);
    const items = lines.flatMap((l) => l.split(' ').slice(1).map(Number));
    expect(Math.min(...items)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...items)).toBeLessThanOrEqual(300);
    // Popularity is skewed: the most frequent item is far above the mean count.
    const counts = new Map<number, number>();
    for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThan(5 * (items.length / counts.size));
  });
});
