import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  builtInAdapters,
  DataAdapter,
  loadData,
  Registry,
  UserError,
  validateDataConfig,
} from '@farzi/core';
import { openLockedConnection } from './connection';
import { eventLogAdapter } from './eventLogAdapter';

// The hostile sweep's cases against `data.options.where` and the DuckDB connection (issue 33):
// `where` is one boolean expression over the file's columns, and the connection reads only the
// named file whatever SQL reaches it.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-duckdb-security-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const adapters = new Registry<DataAdapter>('data format', [...builtInAdapters, eventLogAdapter]);
const secret = path.join(dir, 'secret.txt');
fs.writeFileSync(secret, 'TOP-SECRET-LINE\n');
const log = path.join(dir, 'ev.csv');
fs.writeFileSync(log, 'user,item,rating\nu1,i1,5\nu1,i2,4\nu2,i1,3\nu2,i3,5\n');

async function loadWith(where: string, file = log): Promise<unknown> {
  const data = validateDataConfig(
    {
      format: 'event-log',
      path: file,
      maxLength: 50,
      options: { header: true, columns: { user: 'user', item: 'item' }, where },
    },
    adapters,
  );
  return loadData(data, adapters).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('data.options.where is one expression over the columns', () => {
  it.each([
    [
      'a subquery reading a file into an error',
      `error((SELECT content FROM read_text('${secret}'))) IS NULL`,
      /function error\(\) is not allowed/,
    ],
    [
      'a subquery',
      `(SELECT count(*) FROM read_text('${secret}')) > 0`,
      /a subquery is not allowed/,
    ],
    ['EXISTS', `EXISTS (SELECT 1)`, /a subquery is not allowed/],
    [
      'several statements (one writes a file)',
      `true; COPY (SELECT 'x') TO '${path.join(dir, 'pwn.csv')}'; SELECT 1`,
      /more than one statement/,
    ],
    [
      'a table function in a scalar call',
      `len(glob('/root/*')) > 0`,
      /function glob\(\) is not allowed/,
    ],
    ['ATTACH', `true; ATTACH '${path.join(dir, 'x.db')}'`, /more than one statement/],
    ['SET', `true; SET threads = 1`, /more than one statement/],
    [
      'a setting read',
      `current_setting('threads') = 2`,
      /function current_setting\(\) is not allowed/,
    ],
    ['ORDER BY', `rating > 3 ORDER BY 1`, /more than an expression/],
    ['UNION', `rating > 3 UNION SELECT 2`, /more than an expression/],
    ['an aggregate', `count(*) > 1`, /function count_star\(\) is not allowed/],
    ['a window', `row_number() OVER () > 1`, /a window function is not allowed/],
    ['a parameter', `rating = ?`, /a prepared-statement parameter is not allowed/],
    ['an unknown column', `stars > 3`, /no column "stars" in the file/],
    ['a qualified column', `main.ev.rating > 3`, /no column "main\.ev\.rating"/],
    ['not SQL', `rating >`, /not valid SQL/],
  ])('refuses %s (exit 2, naming the part)', async (_, where, message) => {
    const error = await loadWith(where);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^data\.options\.where \(/);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('TOP-SECRET');
    expect(fs.existsSync(path.join(dir, 'pwn.csv'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
  });

  it('keeps expressions over the columns, with functions, casts, CASE and comments', async () => {
    for (const where of [
      "rating >= 4 AND lower(item) LIKE 'i%' -- a comment",
      'CAST(rating AS INTEGER) BETWEEN 4 AND 5 /* c */',
      'CASE WHEN "user" = \'u1\' THEN rating > 4 ELSE rating > 3 END',
      "item IN ('i1', 'i3') OR regexp_matches(item, '^i2$')",
    ]) {
      expect(await loadWith(where)).toBeUndefined();
    }
  });

  it('reads no other file through the data path, whatever SQL is tried', async () => {
    // A glob is allowed its folder; a comment cannot reopen what the check closed.
    const error = await loadWith(`rating > 3 -- '); SELECT * FROM read_text('${secret}`);
    expect(error).toBeUndefined();
  });
});

describe('the DuckDB connection reads only the named file', () => {
  it('refuses other files, writes, settings, ATTACH and extensions', async () => {
    const spill = fs.mkdtempSync(path.join(dir, 'spill-'));
    const { instance, db } = await openLockedConnection(log, spill);
    const attempt = (sql: string) =>
      db.runAndReadAll(sql).then(
        () => 'ran',
        (e: Error) => e.message,
      );
    try {
      const rows = await db.runAndReadAll(`SELECT count(*) FROM read_csv('${log}', header = true)`);
      expect(Number(rows.getRows()[0][0])).toBe(4);
      expect(await attempt(`SELECT content FROM read_text('${secret}')`)).toMatch(
        /Permission Error/,
      );
      expect(await attempt(`SELECT * FROM glob('${dir}/*')`)).toMatch(/Permission Error/);
      expect(await attempt(`COPY (SELECT 1) TO '${path.join(dir, 'pwn.csv')}'`)).toMatch(
        /Permission Error/,
      );
      expect(await attempt(`ATTACH '${path.join(dir, 'x.db')}'`)).toMatch(/Permission Error/);
      expect(await attempt('SET threads = 1')).toMatch(/configuration has been locked/);
      expect(await attempt('SET enable_external_access = true')).toMatch(/locked/);
      expect(await attempt('LOAD httpfs')).toMatch(/disabled/);
      expect(await attempt('INSTALL httpfs')).not.toBe('ran');
      expect(fs.existsSync(path.join(dir, 'pwn.csv'))).toBe(false);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});

describe('what a hostile file can put in an error', () => {
  it('quotes a 2 MB line with control bytes at 120 characters, escaped, at its real line', async () => {
    const file = path.join(dir, 'huge.csv');
    fs.writeFileSync(file, `user,item\nu1,i1\n${'\u001b[2J\u0007'.repeat(400_000)},x,y\n`);
    const error = await loadWith('true', file);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(/huge\.csv:3: /);
    expect(message.length).toBeLessThan(700);
    expect(message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(message).toContain('\\u001b[2J');
  });
});
