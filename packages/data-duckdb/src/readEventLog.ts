import * as fs from 'fs';
import * as os from 'os';
import * as readline from 'readline';
import * as nodePath from 'path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventFilters, FunnelStage, InteractionLog } from '@farzi/core';
import { printable, quoteField, quoteLine, UserError } from '@farzi/core';
import { eventExpressions, EventExpressions, FileColumn } from './columns';
import { openLockedConnection } from './connection';
import { checkReadable, EventLogOptions, fileType, FileType, readerSql } from './source';
import { checkWhere } from './whereExpression';

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
  const { instance, db } = await openLockedConnection(path, spill, options.memoryLimit);
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
  /** `where` as checked and re-rendered by DuckDB (see whereExpression.ts). */
  private where?: string;

  constructor(
    private readonly db: DuckDBConnection,
    private readonly path: string,
    private readonly type: FileType,
    private readonly options: EventLogOptions,
    private readonly filters: EventFilters,
  ) {
    this.reader = readerSql(path, type, options);
  }

  private readonly funnel: FunnelStage[] = [];

  async run(): Promise<InteractionLog> {
    const columns = await this.describe();
    if (this.options.where !== undefined) {
      const names = columns.map((c) => c.name);
      this.where = await checkWhere(this.db, this.options.where, names, this.path);
    }
    const expressions = eventExpressions(this.path, this.type, this.options, columns);
    if (this.type === 'csv') {
      const ids = [expressions.columns.user, expressions.columns.item];
      this.reader = readerSql(this.path, this.type, this.options, ids);
    }
    await this.readEvents(expressions);
    await this.checkValues(expressions);
    // Which column was read as what, as the delimited format says it (a swapped mapping shows).
    const layout = (['user', 'item', 'rating', 'time'] as const)
      .filter((k) => expressions.sources[k] !== undefined)
      .map((k) => {
        const name = (expressions.sources[k] as string).replace(/^"(.*)"$/, '$1');
        const index = /^column(\d+)$/.exec(name);
        return `${k} ← ${index && !this.options.header ? `column ${index[1]}` : `"${name}"`}`;
      })
      .join(', ');
    await this.stage(
      `read (${layout})${this.options.where === undefined ? '' : ` where ${this.options.where}`}`,
    );
    await this.minRating(expressions);
    if (this.filters.minRating !== undefined)
      await this.stage(`data.minRating ${this.filters.minRating}`);
    await this.kCore(this.filters.kCore);
    if (this.filters.kCore > 1) await this.stage(`data.kCore ${this.filters.kCore}`);
    await this.minUserEvents(this.options.minUserEvents);
    if (this.options.minUserEvents > 1)
      await this.stage(`data.options.minUserEvents ${this.options.minUserEvents}`);
    return { ...(await this.fetch(expressions)), funnel: this.funnel, layout };
  }

  /** What the events table holds now, as a step of the data funnel. */
  private async stage(name: string): Promise<void> {
    const [events, users, items] = (
      await this.sql('SELECT count(*), count(DISTINCT u), count(DISTINCT i) FROM events')
    ).getRows()[0];
    this.funnel.push({
      stage: name,
      events: Number(events),
      users: Number(users),
      items: Number(items),
    });
  }

  /** Runs SQL, turning DuckDB's errors into a user error that names the file. */
  private async sql(text: string, what = `cannot read ${this.path} as ${this.type}`) {
    try {
      return await this.db.runAndReadAll(text);
    } catch (error) {
      throw await this.failure(error, what);
    }
  }

  /**
   * DuckDB's message made safe for a terminal: a CSV error's "Original Line" quoted as data lines are
   * (120 characters, control bytes escaped) at its real line — DuckDB counts lines from where its
   * scan began — and everything else cut and escaped.
   */
  private async failure(error: unknown, what: string): Promise<UserError> {
    const raw = String((error as Error).message ?? error);
    const csv = /CSV Error on Line: *(\d+)\s*\n\s*Original Line: ?([^\n]*)\n?([\s\S]*)/.exec(raw);
    if (csv) {
      const [, duckLine, original, rest] = csv;
      const line = await lineOf(this.path, original);
      const why = rest.split('\n').slice(0, 2).join(' ').trim();
      return new UserError(
        printable(
          `${this.path}:${line ?? `${duckLine} (as DuckDB counts)`}: ${why.slice(0, 300)} in ${quoteLine(original)}; ` +
            `expected ${JSON.stringify(this.options.delimiter)}-separated records (quoted per RFC 4180).`,
        ),
      );
    }
    const message = raw.split('\n').slice(0, 4).join(' ').trim();
    const hint = /Out of Memory/i.test(message)
      ? ` Give DuckDB more memory with data.options.memoryLimit (now ${this.options.memoryLimit ?? "DuckDB's default, 80% of RAM"}).`
      : '';
    return new UserError(printable(`${what}: ${message.slice(0, 600)}${hint}`));
  }

  private async describe(): Promise<FileColumn[]> {
    const result = await this.sql(`DESCRIBE SELECT * FROM ${this.reader}`);
    return result.getRowObjectsJS().map((row) => ({
      name: String(row.column_name),
      type: String(row.column_type),
    }));
  }

  private fields(e: EventExpressions): string[] {
    return [
      `${e.user} AS u`,
      `${e.item} AS i`,
      ...(e.rating ? [`${e.rating} AS r`] : []),
      ...(e.time ? [`${e.time} AS t`] : []),
    ];
  }

  private keepSql(): string {
    const where = this.where;
    return where === undefined ? 'true' : `coalesce((${where}), false)`;
  }

  /**
   * One scan of the file into one table of the events `where` keeps; the later filters delete from
   * it in place. Insertion order is kept, and deletions do not renumber, so rowid is file order.
   */
  private async readEvents(e: EventExpressions): Promise<void> {
    const where = this.where;
    if (where !== undefined) {
      // Typed on its own first, so that a mistake in it is reported as such.
      await this.sql(
        `SELECT count(*) FROM (SELECT * FROM ${this.reader} LIMIT 0) WHERE ${where}`,
        `data.options.where (${quoteField(this.options.where as string)})`,
      );
    }
    const filter = where === undefined ? '' : ` WHERE ${this.keepSql()}`;
    await this.sql(
      `CREATE TEMP TABLE events AS SELECT ${this.fields(e).join(', ')} FROM ${this.reader}${filter}`,
    );
    if (this.type === 'csv') await this.checkRejected();
    if ((await this.count('events')) === 0) {
      throw new UserError(
        where === undefined
          ? `${this.path} holds no events.`
          : `${this.path}: no events left after filtering (${this.describeFilters()}).`,
      );
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
      const n = await this.count(`events WHERE ${condition}`);
      if (n > 0) await this.reportBadRecord(e, condition, what, source, n);
    }
  }

  /** The failure path: the file read again whole, to name the record by its place in the file. */
  private async reportBadRecord(
    e: EventExpressions,
    condition: string,
    what: string,
    source: string | undefined,
    n: number,
  ): Promise<never> {
    const fields = [...this.fields(e), `${this.keepSql()} AS keep`];
    await this.sql(`CREATE TEMP TABLE whole AS SELECT ${fields.join(', ')} FROM ${this.reader}`);
    const found = await this.sql(`SELECT min(rowid) FROM whole WHERE keep AND (${condition})`);
    const record = Number(found.getRows()[0][0]);
    let problem = what;
    if (source) {
      const text = await this.sql(
        `SELECT CAST(${source} AS VARCHAR) FROM ${this.reader} LIMIT 1 OFFSET ${record}`,
      );
      const value = text.getRows()[0]?.[0];
      const shown = value === null || value === undefined ? '(empty)' : quoteField(String(value));
      problem = `${what} ${shown} is not a number`;
    }
    throw new UserError(
      `${this.path}: record ${record + 1}${this.headerNote()}: ${problem}` +
        (n > 1 ? ` (and ${n - 1} more record(s) like it).` : '.'),
    );
  }

  private headerNote(): string {
    return this.type === 'csv' && this.options.header === true ? ' after the header' : '';
  }

  private async minRating(e: EventExpressions): Promise<void> {
    const minRating = this.filters.minRating;
    if (minRating === undefined) return;
    if (!e.rating) {
      throw new UserError(
        `data.minRating is set, but no rating column is given (data.options.columns.rating) for ${this.path}.`,
      );
    }
    await this.sql(`DELETE FROM events WHERE r < ${Number(minRating)}`);
    if ((await this.count('events')) === 0) {
      throw new UserError(
        `${this.path}: no events left after filtering (${this.describeFilters()}).`,
      );
    }
  }

  /** Drops users and items with fewer than k events until every remaining one has at least k. */
  private async kCore(k: number): Promise<void> {
    if (k <= 1) return;
    for (;;) {
      const deleted = await this.sql(
        `DELETE FROM events WHERE u IN (SELECT u FROM events GROUP BY u HAVING count(*) < ${k}) ` +
          `OR i IN (SELECT i FROM events GROUP BY i HAVING count(*) < ${k})`,
      );
      if (deleted.rowsChanged === 0) return;
    }
  }

  private async minUserEvents(m: number): Promise<void> {
    if (m <= 1) return;
    await this.sql(
      `DELETE FROM events WHERE u IN (SELECT u FROM events GROUP BY u HAVING count(*) < ${m})`,
    );
  }

  private async stream(text: string) {
    try {
      return await this.db.stream(text);
    } catch (error) {
      throw await this.failure(error, `cannot read ${this.path} as ${this.type}`);
    }
  }

  private async count(table: string): Promise<number> {
    const result = await this.sql(`SELECT count(*) FROM ${table}`);
    return Number(result.getRows()[0][0]);
  }

  private describeFilters(): string {
    const parts = [];
    if (this.options.where !== undefined) parts.push(`where ${quoteField(this.options.where)}`);
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
          `FROM (SELECT ${column}, min(rowid) AS first FROM events GROUP BY ${column})`,
      );
      const rows = (await this.sql(`SELECT id FROM ${table} ORDER BY code`)).getRows();
      return rows.map((row) => String(row[0]));
    };
    const userIds = await ids('u', 'user_codes');
    const itemIds = await ids('i', 'item_codes');
    const user = new Int32Array(n);
    const item = new Int32Array(n);
    const time = e.time ? new Float64Array(n) : null;
    const result = await this.stream(
      `SELECT uc.code, ic.code${time ? ', t' : ''} FROM events ` +
        'JOIN user_codes uc ON events.u = uc.id JOIN item_codes ic ON events.i = ic.id ORDER BY events.rowid',
    );
    let at = 0;
    const next = () =>
      result.fetchChunk().catch(async (error: unknown) => {
        throw await this.failure(error, `cannot read ${this.path} as ${this.type}`);
      });
    for (let chunk = await next(); chunk; chunk = await next()) {
      const rows = chunk.rowCount;
      if (rows === 0) break;
      const users = chunk.getColumnVector(0);
      const items = chunk.getColumnVector(1);
      for (let r = 0; r < rows; r++) {
        user[at + r] = users.getItem(r) as number;
        item[at + r] = items.getItem(r) as number;
      }
      if (time) {
        const times = chunk.getColumnVector(2);
        for (let r = 0; r < rows; r++) time[at + r] = times.getItem(r) as number;
      }
      at += rows;
    }
    // Ratings are not returned: their only use, the minRating filter, has run.
    return { source: this.path, userIds, itemIds, user, item, rating: null, time };
  }
}

/**
 * The 1-based line of a plain text file that starts with `text` (a record DuckDB quoted), or
 * undefined (compressed files, globs, an empty or unfound text).
 */
async function lineOf(path: string, text: string): Promise<number | undefined> {
  const probe = text.slice(0, 4096);
  if (probe.length === 0 || /[*?[]/.test(path) || /\.(gz|gzip|zst)$/i.test(path)) return undefined;
  const lines = readline.createInterface({ input: fs.createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.startsWith(probe)) return n;
    }
  } catch {
    return undefined;
  } finally {
    lines.close();
  }
  return undefined;
}
