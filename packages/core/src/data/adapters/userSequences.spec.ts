import { UserError } from '../../errors/FarziError';
import { tempDir } from '../../testing/tempFiles';
import { loadSplit } from '../loadData';
import { builtInAdapters } from './builtInAdapters';
import { userSequencesAdapter } from './userSequences';
import { Registry } from '../../di/Registry';
import type { DataAdapter } from '../DataAdapter';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const pairs = (log: ReturnType<typeof userSequencesAdapter.load>) =>
  Array.from(log.user, (u, i) => `${log.userIds[u]}:${log.itemIds[log.item[i]]}`);

describe('user-sequences adapter (one line per user)', () => {
  it('reads users in file order with their items in line order; tabs, blank lines, stray whitespace and a missing final newline are fine', () => {
    const file = tmp.write('beauty/Beauty.txt', '1 10 11 12\n\n2\t12 10\r\n  3 11  13 \n4 10 13');
    expect(pairs(userSequencesAdapter.load(file, {}))).toEqual([
      '1:10',
      '1:11',
      '1:12',
      '2:12',
      '2:10',
      '3:11',
      '3:13',
      '4:10',
      '4:13',
    ]);
    // The folder holding one .txt file works too.
    expect(pairs(userSequencesAdapter.load(`${tmp.dir}/beauty`, {}))).toHaveLength(9);
  });

  it('builds leave-one-out sequences in line order (the last item is the test target)', async () => {
    const file = tmp.write('order.txt', '7 5 4 3 2 1\n8 1 2 3\n');
    const registry = new Registry<DataAdapter>('data format', builtInAdapters);
    const split = await loadSplit(
      { format: 'user-sequences', path: file, options: {}, kCore: 0, maxLength: 10 },
      registry,
    );
    if (split.kind !== 'leave-one-out') throw new Error('expected leave-one-out');
    const raw = (ids: Int32Array) => Array.from(ids, (i) => split.vocab.tokens[i]);
    const u7 = split.users.indexOf('7');
    expect(raw(split.train[u7])).toEqual(['5', '4', '3']);
    expect(raw(split.valid.histories[u7])).toEqual(['5', '4', '3']);
    expect(split.vocab.tokens[split.valid.targets[u7]]).toBe('2');
    expect(split.vocab.tokens[split.test.targets[u7]]).toBe('1');
  });

  it('names the file and line of a user without items, a repeated user, and an id that is not an integer', () => {
    const noItems = tmp.write('no-items.txt', '1 2 3\n\n42\n');
    expect(() => userSequencesAdapter.load(noItems, {})).toThrow(
      new UserError(
        `${noItems}:3: user "42" has no items in "42"; expected one line per user: "user item item …", integer ids separated by spaces or tabs.`,
      ),
    );
    const twice = tmp.write('twice.txt', '1 2 3\n2 3\n1 4\n');
    expect(() => userSequencesAdapter.load(twice, {})).toThrow(
      /twice\.txt:3: user "1" already had a line \(line 1\)/,
    );
    const letters = tmp.write('letters.txt', '1 2 3\nu2 A7 B8\n');
    expect(() => userSequencesAdapter.load(letters, {})).toThrow(
      /letters\.txt:2: user id "u2" is not an integer/,
    );
    const item = tmp.write('item.txt', '1 2 x3\n');
    expect(() => userSequencesAdapter.load(item, {})).toThrow(
      /item\.txt:1: item id "x3" is not an integer/,
    );
    // With integerIds false, any ids are read.
    expect(pairs(userSequencesAdapter.load(letters, { integerIds: false }))).toEqual([
      '1:2',
      '1:3',
      'u2:A7',
      'u2:B8',
    ]);
  });

  it('refuses an empty file, a file of blank lines, and a file of another format', () => {
    expect(() => userSequencesAdapter.load(tmp.write('empty.txt', ''), {})).toThrow(/is empty/);
    expect(() => userSequencesAdapter.load(tmp.write('blank.txt', '\n \n'), {})).toThrow(
      /holds no users/,
    );
    const csv = tmp.write('events.txt', 'user,item,rating\n1,2,5\n');
    expect(() => userSequencesAdapter.load(csv, {})).toThrow(/events\.txt:1: .*no items/);
  });
});
