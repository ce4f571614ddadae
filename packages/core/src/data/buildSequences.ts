import { UserError } from '../errors/FarziError';
import type { SequenceDataset } from './Dataset';
import type { InteractionLog } from './InteractionLog';
import { Vocabulary } from './Vocabulary';

/**
 * Groups events by user and orders each user's events by timestamp; events with equal timestamps
 * keep their file order (a stable sort). Users appear in order of first appearance in the file;
 * items are indexed 1.. in order of first appearance among the kept events.
 */
export function buildSequences(log: InteractionLog): SequenceDataset {
  const n = log.user.length;
  if (n === 0) {
    throw new UserError(`${log.source}: no interactions left after filtering.`);
  }
  const eventsOfUser = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const u = log.user[i];
    let list = eventsOfUser.get(u);
    if (!list) eventsOfUser.set(u, (list = []));
    list.push(i);
  }
  const time = log.time;
  const itemIndex = new Map<number, number>();
  const rawItems: string[] = [];
  const users: string[] = [];
  const ordered: number[][] = [];
  for (const [u, events] of eventsOfUser) {
    // Array.prototype.sort is stable, so equal timestamps keep file order.
    if (time) events.sort((a, b) => time[a] - time[b]);
    users.push(log.userIds[u]);
    ordered.push(events);
  }
  // Index items by first appearance in the file (independent of the per-user ordering).
  for (let i = 0; i < n; i++) {
    const code = log.item[i];
    if (!itemIndex.has(code)) {
      itemIndex.set(code, rawItems.length + 1);
      rawItems.push(log.itemIds[code]);
    }
  }
  const sequences = ordered.map((events) =>
    Int32Array.from(events, (i) => itemIndex.get(log.item[i]) as number),
  );
  return {
    kind: 'sequences',
    source: log.source,
    vocab: Vocabulary.fromRaw(rawItems),
    users,
    sequences,
  };
}
