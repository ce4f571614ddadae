import type { DataConfig } from '../config/ExperimentConfig';
import { Registry } from '../di/Registry';
import { tempDir } from '../testing/tempFiles';
import { builtInAdapters } from './adapters/builtInAdapters';
import type { DataAdapter } from './DataAdapter';
import { describeFunnel, funnelLines } from './funnel';
import { loadSplit, whyUserAbsent } from './loadData';

// Users and items never vanish unannounced: each step's counts, checked by hand on a tiny file.
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const adapters = new Registry<DataAdapter>('data format', builtInAdapters);

// user item rating time. u1: 4 events rated ≥ 4; u2: 3 events, one rated 2; u3: 2 events (too
// few for leave-one-out); u4: every event rated 1. Items: a b c (popular), d e (rare), z (u4 only).
const events = [
  [1, 'a', 5],
  [1, 'b', 4],
  [1, 'c', 5],
  [1, 'd', 4],
  [2, 'a', 5],
  [2, 'b', 2],
  [2, 'c', 4],
  [3, 'a', 4],
  [3, 'e', 5],
  [4, 'z', 1],
  [4, 'a', 1],
];
const file = tmp.write(
  'u.data',
  events.map(([u, i, r], t) => `${u}\t${String(i).charCodeAt(0)}\t${r}\t${t}`).join('\n') + '\n',
);
const item = (c: string) => String(c.charCodeAt(0));
const data = (extra: Partial<DataConfig> = {}) =>
  ({
    format: 'movielens-100k',
    path: file,
    options: {},
    maxLength: 10,
    kCore: 0,
    ...extra,
  }) as DataConfig;

describe('the data funnel', () => {
  it('counts events, users and items after reading, each filter and leave-one-out', async () => {
    const split = await loadSplit(data({ minRating: 4 }), adapters);
    if (split.kind !== 'leave-one-out') throw new Error('expected sequences');
    expect(split.funnel).toEqual([
      { stage: 'read', events: 11, users: 4, items: 6 },
      { stage: 'data.minRating 4', events: 8, users: 3, items: 5 },
      { stage: 'leave-one-out (users with ≥ 3 events)', events: 4, users: 1, items: 4 },
    ]);
    expect(describeFunnel(split.funnel ?? [])).toEqual([
      'read: 11 events, 4 users, 6 items',
      'data.minRating 4: 8 events (−3), 3 users (−1), 5 items (−1)',
      'leave-one-out (users with ≥ 3 events): 4 events (−4), 1 user (−2), 4 items (−1)',
    ]);
  });

  it('prints one line when nothing was dropped', async () => {
    const all = tmp.write('all.data', '1\t1\t5\t1\n1\t2\t5\t2\n1\t3\t5\t3\n');
    const split = await loadSplit(data({ path: all }), adapters);
    expect(funnelLines(split.kind === 'leave-one-out' ? split.funnel : [])).toEqual([
      'read: 3 events, 1 user, 3 items; nothing filtered out',
    ]);
  });

  it('says why a user is not in the data', async () => {
    const why = (user: string, extra: Partial<DataConfig> = {}) =>
      whyUserAbsent(data(extra), adapters, user);
    expect(await why('9')).toBe(`user "9" has no events in ${file}`);
    expect(await why('4', { minRating: 4 })).toBe(
      'all 2 event(s) of user "4" are rated below data.minRating 4',
    );
    expect(await why('3', { minRating: 4 })).toBe(
      'user "3" has 2 event(s) after the filters; leave-one-out needs 3 (training, validation, test)',
    );
    expect(await why('2', { kCore: 3 })).toMatch(
      /^data\.kCore 3 dropped user "2" \(3 event\(s\) before it/,
    );
    expect(await why('1')).toBeUndefined();
    expect(item('a')).toBe('97');
  });
});
