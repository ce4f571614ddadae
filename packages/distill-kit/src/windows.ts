import { Rng, UserError } from '@farzi/core';
import { realWindows } from './realData';

/*
 * Which real users' windows a teacher-initialised distillation starts from. "random": the last ξ
 * items of μ random users (realWindows). "coverage": the same kind of windows, chosen greedily so
 * that together they hold as many distinct items as possible (each next window the one adding the
 * most items not yet held; ties in random order), which moves the step-0 data's mass from the head
 * of the catalogue towards the torso and tail that random windows of long histories miss.
 */

export type WindowSelection = 'random' | 'coverage';

/** How a set of windows covers the catalogue, beside the real data's own figures. */
export interface WindowStats {
  /** Distinct items in the windows. */
  readonly items: number;
  /** Share of the windows' events on head items (the most frequent 20% of the catalogue). */
  readonly headShare: number;
  /** The same share over every real training event. */
  readonly realHeadShare: number;
}

/** μ windows of ξ real items (row-major `[μ·ξ]`) chosen by `selection`. */
export function selectWindows(
  sequences: readonly Int32Array[],
  mu: number,
  xi: number,
  rng: Rng,
  selection: WindowSelection = 'random',
): Int32Array {
  if (selection === 'random') return realWindows(sequences, mu, xi, rng);
  if (sequences.length === 0) throw new UserError('the training data has no sequences.');
  const long = sequences.filter((s) => s.length >= xi);
  // Too few users with ξ items: every such user is taken, the rest as realWindows fills them.
  if (long.length <= mu) return realWindows(sequences, mu, xi, rng);
  const order = rng.permutation(long.length);
  const windows = Array.from(order, (k) => distinct(long[k].subarray(long[k].length - xi)));
  const covered = new Set<number>();
  const taken = new Uint8Array(windows.length);
  // Lazy greedy: a window's gain only falls as items get covered, so a stale gain is an upper bound.
  const gain = windows.map((w) => w.length);
  const ids = new Int32Array(mu * xi);
  for (let i = 0; i < mu; i++) {
    let best = -1;
    for (;;) {
      best = -1;
      for (let c = 0; c < windows.length; c++) {
        if (!taken[c] && (best < 0 || gain[c] > gain[best])) best = c;
      }
      const fresh = windows[best].reduce((n, item) => n + (covered.has(item) ? 0 : 1), 0);
      if (fresh === gain[best]) break;
      gain[best] = fresh;
    }
    taken[best] = 1;
    for (const item of windows[best]) covered.add(item);
    const seq = long[order[best]];
    ids.set(seq.subarray(seq.length - xi), i * xi);
  }
  return ids;
}

const distinct = (items: Int32Array) => Array.from(new Set(items));

/** Distinct items and head share of `ids` against the real training events. */
export function windowStats(
  sequences: readonly Int32Array[],
  ids: Int32Array,
  vocabSize: number,
): WindowStats {
  const counts = new Float64Array(vocabSize);
  let total = 0;
  for (const s of sequences) {
    for (const item of s) counts[item]++;
    total += s.length;
  }
  const items = Array.from({ length: vocabSize - 1 }, (_, i) => i + 1).sort(
    (a, b) => counts[b] - counts[a] || a - b,
  );
  const head = new Uint8Array(vocabSize);
  let realHead = 0;
  for (const item of items.slice(0, Math.round(0.2 * items.length))) {
    head[item] = 1;
    realHead += counts[item];
  }
  let inHead = 0;
  for (const item of ids) inHead += head[item];
  return {
    items: new Set(ids).size,
    headShare: ids.length ? inHead / ids.length : 0,
    realHeadShare: total ? realHead / total : 0,
  };
}

/** The `teacher.windows` setting's JSON Schema, shared by the methods that start from windows. */
export const windowSelectionSchema = {
  type: 'string',
  enum: ['random', 'coverage'],
  default: 'random',
  description:
    'which real windows (each a user\'s last ξ items) the teacher initialisation starts from: "random" users, or "coverage": chosen greedily to hold the most distinct items (less head, more torso and tail)',
} as const;
