import { Rng } from '@farzi/core';

export interface CatalogueShape {
  /** Total events (the generator adds users until it reaches this many). */
  readonly events: number;
  /** Catalogue size. */
  readonly items: number;
  readonly seed: number;
}

/**
 * A seeded event log shaped like the Amazon review data: one line per user (`user item item …`),
 * at least 5 items each with a geometric tail (mean ≈ 9, as Beauty's 8.9), items drawn with
 * Zipf-like popularity (exponent 0.8) around a per-user neighbourhood so that sequences have
 * structure. Used by the scaling benchmark (`catalogue.ts`); deterministic for a seed.
 */
export function syntheticUserSequences(shape: CatalogueShape): string {
  const rng = new Rng(shape.seed);
  const V = shape.items;
  // Cumulative Zipf weights over item ranks 1..V.
  const cumulative = new Float64Array(V);
  let acc = 0;
  for (let i = 0; i < V; i++) cumulative[i] = acc += 1 / Math.pow(i + 1, 0.8);
  const draw = (): number => rng.pickCumulative(cumulative);
  const lines: string[] = [];
  let events = 0;
  for (let user = 1; events < shape.events; user++) {
    const length = Math.min(300, 5 + Math.floor(-Math.log(1 - rng.next()) * 4));
    const anchor = draw();
    const items: number[] = [];
    for (let t = 0; t < length; t++) {
      // Half the events stay near the user's anchor item (structure), half follow popularity.
      const item = rng.next() < 0.5 ? (anchor + rng.int(50)) % V : draw();
      items.push(item + 1);
    }
    lines.push(`${user} ${items.join(' ')}`);
    events += length;
  }
  return `${lines.join('\n')}\n`;
}
