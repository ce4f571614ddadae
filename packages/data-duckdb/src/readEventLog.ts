import * as fs from 'fs';
import * as os from 'os';
import * as nodePath from 'path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { EventFilters, InteractionLog } from '@farzi/core';
import { quoteField, quoteLine, UserError } from '@farzi/core';
import { eventExpressions, EventExpressions, FileColumn } from './columns';
import { checkReadable, EventLogOptions, fileType, FileType, readerSql } from './source';

/**
 * Reads an event log with DuckDB and applies the filters in SQL: `where`, `minRating`, k-core and
 * `minUserEvents`. The result holds only the surviving events, in file order, with users and items
 * coded in order of first appearance among them — so `buildSequences` makes exactly the sequences
 * the built-in parser followed by core's filters makes from the same file.
 */
export async function readEventLog(
  path: string,
  options: EventLogOptions,
  filters: EventFilters,
): Promise<InteractionLog> {
  checkReadable(path);
  const type = fileType(path, options.type);
  // Spilling (for logs larger than memory) goes to a private temporary folder, not the cwd.
  const spill = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'farzi-duckdb-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: spill });
  const db = await instance.connect();
  try {
    return await new EventLogQuery(db, path, type, options, filters).run();
  } finally {
    db.closeSync();
    instance.closeSync();
    fs.rmSync(spill, { recursive: true, force: true });
  }
}

class EventLogQuery {
  private reader: string;

  constructor(
    private readonly db: DuckDBConnection,
    private readonly path: string,
    private readonly type: FileType,
    private readonly options: EventLogOptions,
    private readonly filters: EventFilters,
  ) {
    this.reader = readerSql(path, type, options);
  }

  async run(): Promise<InteractionLog> {
    const expressions = eventExpressions(this.path, this.type, this.options, await this.describe());
    if (this.type === 'csv') {
      const ids = [expressions.columns.user, expressions.columns.item];
      this.reader = readerSql(this.path, this.type, this.options, ids);
    }
    await this.readRaw(expressions);
    await this.checkValues(expressions);
    await this.selectEvents(expressions);
    if ((await this.count('events')) === 0) {
      throw new UserError(
        `${this.path}: no events left after filtering (${this.describeFilters()}).`,
      );
    }
    await this.kCore(this.filters.kCore);
    await this.minUserEvents(this.options.minUserEvents);
    return this.fetch(expressions);
  }

  /** Runs SQL, turning DuckDB's errors into a user error that names the file. */
  private async sql(text: string, what = `cannot read ${this.path} as ${this.type}`) {
    try {
      return await this.db.runAndReadAll(text);
    } catch (error) {
      const message = (error as Error).message.split('\n').slice(0, 4).join(' ').trim();
      throw new UserError(`${what}: ${message}`);
    }
  }

  private async describe(): Promise<FileColumn[]> {
    const result = await this.sql(`DESCRIBE SELECT * FROM ${this.reader}`);
    return result.getRowObjectsJS().map((row) => ({
      name: String(row.column_name),
      type: String(row.column_type),
    }));
  }

  /** One scan of the file: the event fields, and whether `where` keeps the record. */
  private async readRaw(e: EventExpressions): Promise<void> {
    const where = this.options.where;
    if (where !== undefined) {
      // Checked on its own first, so that a mistake in it is reported as such.
      await this.sql(
        `SELECT count(*) FROM (SELECT * FROM ${this.reader} LIMIT 0) WHERE ${where}`,
        `data.options.where (${quoteField(where)})`,
      );
    }
    const fields = [
      `${e.user} AS u`,
      `${e.item} AS i`,
      ...(e.rating ? [`${e.rating} AS r`] : []),
      ...(e.time ? [`${e.time} AS t`] : []),
      `${where === undefined ? 'true' : `coalesce((${where}), false)`} AS keep`,
    ];
    // Insertion order is kept, so rowid is the record's index in the file.
    await this.sql(`CREATE TEMP TABLE raw AS SELECT ${fields.join(', ')} FROM ${this.reader}`);
    if (this.type === 'csv') await this.checkRejected();
    if ((await this.count('raw')) === 0) {
      throw new UserError(`${this.path} holds no events.`);
    }
  }

  /** Records DuckDB could not read (wrong field count, a bad quote, a value of the wrong type). */
  private async checkRejected(): Promise<void> {
    const found = await this.sql(
      'SELECT line, error_message, csv_line, count(*) OVER () AS n FROM reject_errors ORDER BY line LIMIT 1',
    );
    const first = found.getRowObjectsJS()[0];
    if (!first) return;
    const more = Number(first.n) - 1;
    throw new UserError(
      `${this.path}:${Number(first.line)}: ${String(first.error_message)} in ${quoteLine(String(first.csv_line ?? ''))}` +
        `${more > 0 ? ` (and ${more} more bad line(s))` : ''}; expected ${JSON.stringify(this.options.delimiter)}-separated records (quoted per RFC 4180).`,
    );
  }

  /** Empty ids and values that are not finite numbers: an error naming the first such record. */
  private async checkValues(e: EventExpressions): Promise<void> {
    const problems: [string, string, string | undefined][] = [
      ["u IS NULL OR u = ''", 'empty user id', undefined],
      ["i IS NULL OR i = ''", 'empty item id', undefined],
    ];
    if (e.rating) problems.push(['r IS NULL OR NOT isfinite(r)', 'rating', e.sources.rating]);
    if (e.time) problems.push(['t IS NULL OR NOT isfinite(t)', 'timestamp', e.sources.time]);
    for (const [condition, what, source] of problems) {
      const found = await this.sql(
        `SELECT min(rowid) AS first, count(*) AS n FROM raw WHERE keep AND (${condition})`,
      );
      const [first, n] = found.getRows()[0];
      if (Number(n) === 0) continue;
      const record = Number(first);
      let problem = what;
      if (source) {
        const text = await this.sql(
          `SELECT CAST(${source} AS VARCHAR) FROM ${this.reader} LIMIT 1 OFFSET ${record}`,
        );
        const value = text.getRows()[0]?.[0];
        problem = `${what} ${value === null || value === undefined ? '(empty)' : quoteField(String(value))} is not a number`;
      }
      throw new UserError(
        `${this.path}: record ${record + 1}${this.headerNote()}: ${problem}` +
          (Number(n) > 1 ? ` (and ${Number(n) - 1} more record(s) like it).` : '.'),
      );
    }
  }

  private headerNote(): string {
    return this.type === 'csv' && this.options.header === true ? ' after the header' : '';
  }

  private async selectEvents(e: EventExpressions): Promise<void> {
    const conditions = ['keep'];
    const minRating = this.filters.minRating;
    if (minRating !== undefined) {
      if (!e.rating) {
        throw new UserError(
          `data.minRating is set, but no rating column is given (data.options.columns.rating) for ${this.path}.`,
        );
      }
      conditions.push(`r >= ${Number(minRating)}`);
    }
    const fields = ['rowid AS rn', 'u', 'i', ...(e.rating ? ['r'] : []), ...(e.time ? ['t'] : [])];
    await this.sql(
      `CREATE TEMP TABLE events AS SELECT ${fields.join(', ')} FROM raw WHERE ${conditions.join(' AND ')}`,
    );
    await this.sql('DROP TABLE raw');
  }

  /** Drops users and items with fewer than k events until every remaining one has at least k. */
  private async kCore(k: number): Promise<void> {
    if (k <= 1) return;
    for (;;) {
      const before = await this.count('events');
      await this.sql(
        `DELETE FROM events WHERE u IN (SELECT u FROM events GROUP BY u HAVING count(*) < ${k}) ` +
          `OR i IN (SELECT i FROM events GROUP BY i HAVING count(*) < ${k})`,
      );
      if ((await this.count('events')) === before) return;
    }
  }

  private async minUserEvents(m: number): Promise<void> {
    if (m <= 1) return;
    await this.sql(
      `DELETE FROM events WHERE u IN (SELECT u FROM events GROUP BY u HAVING count(*) < ${m})`,
    );
  }

  private async count(table: string): Promise<number> {
    const result = await this.sql(`SELECT count(*) FROM ${table}`);
    return Number(result.getRows()[0][0]);
  }

  private describeFilters(): string {
    const parts = [];
    if (this.options.where !== undefined) parts.push(`where ${this.options.where}`);
    if (this.filters.minRating !== undefined) parts.push(`minRating ${this.filters.minRating}`);
    return parts.join(', ') || 'no filters';
  }

  /** Codes by first appearance, then the events in file order as typed arrays. */
  private async fetch(e: EventExpressions): Promise<InteractionLog> {
    const n = await this.count('events');
    if (n === 0) {
      throw new UserError(
        `${this.path}: no events left after filtering (k-core ${this.filters.kCore}, minUserEvents ${this.options.minUserEvents}).`,
      );
    }
    const ids = async (column: 'u' | 'i', table: string): Promise<string[]> => {
      await this.sql(
        `CREATE TEMP TABLE ${table} AS SELECT ${column} AS id, (row_number() OVER (ORDER BY first) - 1)::INTEGER AS code ` +
          `FROM (SELECT ${column}, min(rn) AS first FROM events GROUP BY ${column})`,
      );
      const rows = (await this.sql(`SELECT id FROM ${table} ORDER BY code`)).getRows();
      return rows.map((row) => String(row[0]));
    };
    const userIds = await ids('u', 'user_codes');
    const itemIds = await ids('i', 'item_codes');
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    const rating = e.rating ? new Float32Array(n) : null;
    const time = e.time ? new Float64Array(n) : null;
    const result = await this.db.stream(
      `SELECT uc.code, ic.code${rating ? ', r' : ''}${time ? ', t' : ''} FROM events ` +
        'JOIN user_codes uc ON events.u = uc.id JOIN item_codes ic ON events.i = ic.id ORDER BY rn',
    );
    let at = 0;
    for (let chunk = await result.fetchChunk(); chunk; chunk = await result.fetchChunk()) {
      const rows = chunk.rowCount;
      if (rows === 0) break;
      const columns = [0, 1, 2, 3].slice(0, chunk.columnCount).map((c) => chunk.getColumnVector(c));
      const [users, items] = columns;
      for (let r = 0; r < rows; r++) {
        user[at + r] = users.getItem(r) as number;
        item[at + r] = items.getItem(r) as number;
      }
      let next = 2;
      if (rating) {
        const values = columns[next++];
        for (let r = 0; r < rows; r++) rating[at + r] = values.getItem(r) as number;
      }
      if (time) {
        const values = columns[next];
        for (let r = 0; r < rows; r++) time[at + r] = values.getItem(r) as number;
      }
      at += rows;
    }
    return { source: this.path, userIds, itemIds, user, item, rating, time };
  }
}
