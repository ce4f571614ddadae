import { UserError } from '../errors/FarziError';

import type { Named } from '../contracts/Named';

export type { Named };

/**
 * A read-only map from names to registered implementations. Looking up a name that is not there
 * raises a `UserError` that lists what is registered (and the closest name, for typos).
 */
export class Registry<T extends Named> {
  private readonly entries = new Map<string, T>();

  constructor(
    /** What the entries are, in words, e.g. "model" or "data format". */
    readonly kind: string,
    entries: Iterable<T>,
    /** The config key that names an entry, used in error messages, e.g. "model.name". */
    readonly key?: string,
  ) {
    for (const entry of entries) {
      if (this.entries.has(entry.name)) {
        throw new Error(`two ${kind}s are registered under the name "${entry.name}"`);
      }
      this.entries.set(entry.name, entry);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): T {
    const entry = this.entries.get(name);
    if (entry) return entry;
    const names = this.names();
    const where = this.key ? `${this.key}: ` : '';
    const registered = names.length ? names.map((n) => `"${n}"`).join(', ') : '(none)';
    const closest = closestName(name, names);
    const hint = closest ? ` Did you mean "${closest}"?` : '';
    throw new UserError(
      `${where}unknown ${this.kind} "${name}".${hint} Registered ${this.kind}s: ${registered}.`,
    );
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  values(): T[] {
    return this.names().map((n) => this.entries.get(n) as T);
  }
}

/** The candidate closest to `name` by edit distance, if it is close enough to be a typo. */
export function closestName(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
