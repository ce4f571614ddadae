import type { InteractionLog } from './InteractionLog';

/** Keeps events with rating >= minRating (a log without ratings is returned unchanged). */
export function filterMinRating(log: InteractionLog, minRating: number): InteractionLog {
  if (!log.rating) return log;
  const rating = log.rating;
  return select(log, (i) => rating[i] >= minRating);
}

/**
 * k-core filtering: repeatedly drops users and items with fewer than k events until every remaining
 * user and item has at least k.
 */
export function filterKCore(log: InteractionLog, k: number): InteractionLog {
  if (k <= 1) return log;
  let keep = new Uint8Array(log.user.length).fill(1);
  for (;;) {
    const userCount = new Int32Array(log.userIds.length);
    const itemCount = new Int32Array(log.itemIds.length);
    for (let i = 0; i < keep.length; i++) {
      if (!keep[i]) continue;
      userCount[log.user[i]]++;
      itemCount[log.item[i]]++;
    }
    let changed = false;
    const next = new Uint8Array(keep.length);
    for (let i = 0; i < keep.length; i++) {
      if (!keep[i]) continue;
      if (userCount[log.user[i]] >= k && itemCount[log.item[i]] >= k) next[i] = 1;
      else changed = true;
    }
    keep = next;
    if (!changed) break;
  }
  return select(log, (i) => keep[i] === 1);
}

function select(log: InteractionLog, keep: (i: number) => boolean): InteractionLog {
  const index: number[] = [];
  for (let i = 0; i < log.user.length; i++) if (keep(i)) index.push(i);
  return {
    source: log.source,
    userIds: log.userIds,
    itemIds: log.itemIds,
    user: Int32Array.from(index, (i) => log.user[i]),
    item: Int32Array.from(index, (i) => log.item[i]),
    rating: log.rating ? Float32Array.from(index, (i) => (log.rating as Float32Array)[i]) : null,
    time: log.time ? Float64Array.from(index, (i) => (log.time as Float64Array)[i]) : null,
  };
}
