import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  builtInAdapters,
  DataAdapter,
  DataConfig,
  loadData,
  Registry,
  SequenceDataset,
  UserError,
  validateDataConfig,
} from '@farzi/core';
import { eventLogAdapter } from './eventLogAdapter';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-duckdb-spec-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const adapters = new Registry<DataAdapter>('data format', [...builtInAdapters, eventLogAdapter]);

/** A log with string ids, ties in time, ratings 1–5 and users/items that k-core removes. */
function generatedLog(events: number): string {
  let seed = 11;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const lines: string[] = [];
  for (let e = 0; e < events; e++) {
    const user = `u${next() % 60}`;
    const item = `item-${(next() % 90) ** 2 % 97}`;
    lines.push(`${user},${item},${1 + (next() % 5)},${1000 + (next() % 40)}`);
  }
  return lines.join('\n') + '\n';
}

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Data settings as the app makes them from a config: validated, defaults filled in. */
function config(format: string, file: string, extra: Partial<DataConfig> = {}): DataConfig {
  return validateDataConfig({ format, path: file, maxLength: 50, ...extra }, adapters);
}

async function sequences(data: DataConfig): Promise<SequenceDataset> {
  const loaded = await loadData(data, adapters);
  if (loaded.kind !== 'sequences') throw new Error('expected sequences');
  return loaded;
}

/** What a comparison needs: users, item vocabulary and every sequence as item ids. */
function view(data: SequenceDataset) {
  return {
    users: data.users,
    items: data.vocab.tokens,
    sequences: data.sequences.map((s) => Array.from(s)),
  };
}

async function copyWithDuckDb(from: string, to: string, format: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(
    `COPY (SELECT column0 AS user_id, column1 AS item_id, column2::INTEGER AS rating, column3::BIGINT AS ts ` +
      `FROM read_csv('${from}', header = false, all_varchar = true)) TO '${to}' (FORMAT ${format})`,
  );
  db.closeSync();
  instance.closeSync();
}

describe('event-log (DuckDB) against the built-in parser and core filters', () => {
  const csv = write('log.csv', generatedLog(3000));

  it.each([
    ['no filters', {}],
    ['minRating 3', { minRating: 3 }],
    ['k-core 5', { kCore: 5 }],
    ['minRating 2 and k-core 4', { minRating: 2, kCore: 4 }],
  ])('makes the same sequences as delimited + core filters (%s)', async (_, filters) => {
    const reference = await sequences(config('delimited', csv, filters));
    const duck = await sequences(config('event-log', csv, filters));
    expect(view(duck)).toEqual(view(reference));
    expect(reference.sequences.length).toBeGreaterThan(10);
    // The same funnel, step by step: read, each filter (done in SQL here, in core there).
    expect(duck.funnel).toEqual(reference.funnel);
    expect(reference.funnel?.length).toBe(1 + Object.keys(filters).length);
  });

  it('reads the same events from gzip, JSON lines and Parquet', async () => {
    const reference = view(await sequences(config('delimited', csv, { kCore: 3 })));
    const gz = write('log.csv.gz', require('zlib').gzipSync(fs.readFileSync(csv)));
    const parquet = path.join(dir, 'log.parquet');
    const jsonl = path.join(dir, 'log.jsonl');
    await copyWithDuckDb(csv, parquet, 'PARQUET');
    await copyWithDuckDb(csv, jsonl, 'JSON');
    const byName = { user: 'user_id', item: 'item_id', rating: 'rating', time: 'ts' };
    expect(view(await sequences(config('event-log', gz, { kCore: 3 })))).toEqual(reference);
    for (const file of [parquet, jsonl]) {
      const data = config('event-log', file, { kCore: 3, options: { columns: byName } });
      expect(view(await sequences(data))).toEqual(reference);
    }
  });
});

describe('event-log reads what line splitting cannot', () => {
  it('keeps quoted fields with delimiters, ids as written and orders text timestamps', async () => {
    const file = write(
      'quoted.csv',
      'user,item,when\n' +
        '007,"Dune, Part Two",2024-03-01 10:00:00\n' +
        '007,"The ""Thing""",2024-01-01 09:00:00\n' +
        '7,"Dune, Part Two",2024-02-01 08:00:00\n',
    );
    const data = await sequences(
      config('event-log', file, {
        options: { header: true, columns: { user: 'user', item: 'item', time: 'when' } },
      }),
    );
    expect(data.users).toEqual(['007', '7']);
    expect(data.vocab.tokens.slice(1)).toEqual(['Dune, Part Two', 'The "Thing"']);
    // 007's events sorted by time: The "Thing" (January) before Dune (March).
    expect(Array.from(data.sequences[0])).toEqual([2, 1]);
  });

  it('applies a SQL where on the typed columns and drops short users before indexing items', async () => {
    const file = write('where.csv', 'a,x,5,1\na,y,1,2\na,z,4,3\nb,w,5,1\nb,x,5,2\n');
    const data = await sequences(
      config('event-log', file, { options: { where: 'column2 >= 4', minUserEvents: 2 } }),
    );
    expect(data.users).toEqual(['a', 'b']);
    expect(data.vocab.tokens.slice(1)).toEqual(['x', 'z', 'w']);
    const short = await sequences(
      config('event-log', file, { options: { where: 'column2 >= 4', minUserEvents: 3 } }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((short as Error).message).toContain('no events left after filtering');
  });
});

describe('event-log errors name the file, the line or the field', () => {
  const load = (file: string, extra: Partial<DataConfig> = {}) =>
    loadData(config('event-log', file, extra), adapters);

  it.each([
    ['a missing file', () => load(path.join(dir, 'nothing.csv')), /nothing\.csv: no such file/],
    ['an empty file', () => load(write('empty.csv', '')), /empty\.csv is empty/],
    ['a folder', () => load(dir), /is a folder; expected an event log file/],
    [
      'a line with a missing field',
      () => load(write('short.csv', 'a,x,5,1\na,y,5,2\na,z,5\n')),
      /short\.csv:3: Expected Number of Columns: 4 Found: 3 in "a,z,5"/,
    ],
    [
      'a rating that is not a number',
      () => load(write('nan.csv', 'u,i,r,t\na,x,5,1\na,y,bad,2\n'), { options: { header: true } }),
      /nan\.csv: record 2 after the header: rating "bad" is not a number/,
    ],
    [
      'an empty item id',
      () => load(write('noitem.csv', 'a,x,5,1\na,,5,2\n')),
      /noitem\.csv: record 2: empty item id/,
    ],
    [
      'a column name without a header',
      () => load(write('named.csv', 'a,x\n'), { options: { columns: { user: 'u', item: 'i' } } }),
      /columns\.user: "u" is a column name, but data\.options\.header is not true/,
    ],
    [
      'an unknown column name',
      () =>
        load(write('hdr.csv', 'uid,iid\na,x\n'), {
          options: { header: true, columns: { user: 'uid', item: 'item' } },
        }),
      /columns\.item: no column "item" in .*hdr\.csv; its columns are uid, iid/,
    ],
    [
      'minRating without a rating column',
      () =>
        load(write('norating.csv', 'a,x\n'), {
          minRating: 4,
          options: { columns: { user: 0, item: 1 } },
        }),
      /data\.minRating is set, but no rating column is given/,
    ],
    [
      'a where that is not SQL over the columns',
      () => load(write('w.csv', 'a,x,5,1\n'), { options: { where: 'stars > 3' } }),
      /data\.options\.where \("stars > 3"\): no column "stars" in the file; expected one boolean expression over the columns of .*w\.csv \(column0, column1, column2, column3\)/,
    ],
    [
      'a filter that leaves nothing',
      () => load(write('all.csv', 'a,x,2,1\n'), { minRating: 4 }),
      /all\.csv: no events left after filtering \(minRating 4\)/,
    ],
  ])('%s', async (_, action, message) => {
    const error = await action().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
  });

  it('leaves no temporary files behind', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('farzi-duckdb-'));
    await load(write('tidy.csv', 'a,x,5,1\na,y,5,2\n'));
    await load(path.join(dir, 'nothing.csv')).catch(() => undefined);
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('farzi-duckdb-'));
    expect(after.filter((f) => f !== path.basename(dir))).toEqual(
      before.filter((f) => f !== path.basename(dir)),
    );
  });
});
