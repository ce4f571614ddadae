import type { LeaveOneOutSplit } from '@farzi/core';
import { rankingMetrics } from './rankingMetrics';

/** A partition of evaluation examples into named buckets. */
export interface Buckets {
  /** What is bucketed, e.g. "users by training history length". */
  readonly dimension: string;
  readonly labels: string[];
  /** Bucket index of every example. */
  readonly of: Int32Array;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[pos];
}

/**
 * Users by the length of their training history (cold-start analysis). `boundaries` are upper bounds
 * of all but the last bucket (inclusive); by default the tertiles of the history lengths.
 */
export function userHistoryBuckets(split: LeaveOneOutSplit, boundaries?: number[]): Buckets {
  const lengths = split.train.map((s) => s.length);
  const sorted = [...lengths].sort((a, b) => a - b);
  const bounds = boundaries ?? [...new Set([quantile(sorted, 1 / 3), quantile(sorted, 2 / 3)])];
  const labels: string[] = [];
  let previous = 0;
  for (const b of bounds) {
    labels.push(previous + 1 === b ? `${b} items` : `${previous + 1}–${b} items`);
    previous = b;
  }
  labels.push(`> ${previous} items`);
  const of = Int32Array.from(lengths, (n) => {
    const i = bounds.findIndex((b) => n <= b);
    return i < 0 ? bounds.length : i;
  });
  return { dimension: 'users by training history length', labels, of };
}

/** Head / torso / tail labels for cumulative catalogue shares. */
export function popularityLabels(shares: [number, number] = [0.2, 0.5]): string[] {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  return [
    `head (top ${pct(shares[0])} items)`,
    `torso (next ${pct(shares[1] - shares[0])})`,
    `tail (last ${pct(1 - shares[1])})`,
  ];
}

/**
 * Every item's popularity bucket by its count in the training sequences: 0 head, 1 torso, 2 tail
 * (index 0, padding: −1). `shares` are the cumulative shares of the catalogue (items sorted by
 * popularity, most popular first, ties by index) that end the head and the torso.
 */
export function itemBucketOf(
  split: LeaveOneOutSplit,
  shares: [number, number] = [0.2, 0.5],
): Int32Array {
  const V = split.vocab.size;
  const counts = new Float64Array(V);
  for (const s of split.train) for (const item of s) counts[item]++;
  const items = Array.from({ length: V - 1 }, (_, i) => i + 1).sort(
    (a, b) => counts[b] - counts[a] || a - b,
  );
  const headEnd = Math.round(shares[0] * items.length);
  const torsoEnd = Math.round(shares[1] * items.length);
  const bucket = new Int32Array(V).fill(-1);
  items.forEach((item, r) => (bucket[item] = r < headEnd ? 0 : r < torsoEnd ? 1 : 2));
  return bucket;
}

/**
 * Test targets by their item's training popularity: head / torso / tail (see `itemBucketOf`); by
 * default the top 20% of items are the head, the next 30% the torso, the rest the tail.
 */
export function itemPopularityBuckets(
  split: LeaveOneOutSplit,
  targets: Int32Array,
  shares: [number, number] = [0.2, 0.5],
): Buckets {
  const bucket = itemBucketOf(split, shares);
  return {
    dimension: 'test targets by item popularity',
    labels: popularityLabels(shares),
    of: Int32Array.from(targets, (t) => bucket[t]),
  };
}

export interface BucketResult {
  readonly label: string;
  readonly size: number;
  readonly metrics: Record<string, number>;
}

/** Ranking metrics within each bucket. */
export function metricsByBucket(
  ranks: Float32Array,
  candidates: Float32Array,
  buckets: Buckets,
  ks: readonly number[],
): BucketResult[] {
  return buckets.labels.map((label, b) => {
    const idx: number[] = [];
    buckets.of.forEach((x, i) => x === b && idx.push(i));
    const sub = {
      ranks: Float32Array.from(idx, (i) => ranks[i]),
      candidates: Float32Array.from(idx, (i) => candidates[i]),
    };
    return { label, size: idx.length, metrics: rankingMetrics(sub, ks) };
  });
}
