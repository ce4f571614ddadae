import type { InteractionLog } from './InteractionLog';

// The data funnel: how many events, users and items each step of reading and filtering kept, so
// that users and items never vanish without notice (printed by train/distill, kept in data.json).

/** What was left after one step of the pipeline. */
export interface FunnelStage {
  /** The step, in words ("read", "data.minRating 4", "data.kCore 5", "leave-one-out: ≥ 3 events"). */
  readonly stage: string;
  readonly events: number;
  readonly users: number;
  readonly items: number;
}

/** Counts of a log's events and of the distinct users and items among them. */
export function logStage(stage: string, log: InteractionLog): FunnelStage {
  const users = new Set<number>();
  const items = new Set<number>();
  for (let i = 0; i < log.user.length; i++) {
    users.add(log.user[i]);
    items.add(log.item[i]);
  }
  return { stage, events: log.user.length, users: users.size, items: items.size };
}

/** Counts of per-user item sequences. */
export function sequenceStage(stage: string, sequences: readonly Int32Array[]): FunnelStage {
  const items = new Set<number>();
  let events = 0;
  for (const s of sequences) {
    events += s.length;
    for (const i of s) items.add(i);
  }
  return { stage, events, users: sequences.length, items: items.size };
}

/** Whether any step dropped anything. */
export function funnelDropped(funnel: readonly FunnelStage[]): boolean {
  return funnel.some(
    (s, i) =>
      i > 0 &&
      (s.events < funnel[i - 1].events ||
        s.users < funnel[i - 1].users ||
        s.items < funnel[i - 1].items),
  );
}

/**
 * One line per step: "read 100,000 events, 943 users, 1,682 items", then each filter with what it
 * dropped: "data.minRating 4: 55,375 events (−44,625), 942 users (−1), 1,447 items (−235)".
 */
export function describeFunnel(funnel: readonly FunnelStage[]): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  return funnel.map((s, i) => {
    const prev = funnel[i - 1];
    const part = (value: number, before: number | undefined, noun: string) =>
      `${n(value)} ${noun}${value === 1 ? '' : 's'}${before !== undefined && before !== value ? ` (−${n(before - value)})` : ''}`;
    return `${s.stage}: ${part(s.events, prev?.events, 'event')}, ${part(s.users, prev?.users, 'user')}, ${part(s.items, prev?.items, 'item')}`;
  });
}

/**
 * The funnel as a run prints it: every step when a step dropped something (users or items a
 * person might look for), else one line with what was read.
 */
export function funnelLines(funnel: readonly FunnelStage[] | undefined): string[] {
  if (!funnel || funnel.length === 0) return [];
  if (!funnelDropped(funnel)) return [`${describeFunnel([funnel[0]])[0]}; nothing filtered out`];
  return describeFunnel(funnel);
}
