import { UserError } from '../../errors/FarziError';
import { InteractionLog, InteractionLogBuilder } from '../InteractionLog';
import { forEachLine, quoteField, quoteLine } from '../lines';

/** Where each field is on a line (0-based column indices). */
export interface ColumnLayout {
  user: number;
  item: number;
  rating?: number;
  time?: number;
}

export interface DelimitedFormat {
  /** A string, or a RegExp for whitespace-like separators. */
  delimiter: string | RegExp;
  /** Shown in errors, e.g. "user::item::rating::timestamp". */
  expected: string;
  /** Number of header lines to skip. */
  headerLines: number;
  columns: ColumnLayout;
  /** Exact column count required (otherwise at least enough for the columns used). */
  columnCount?: number;
  /** Ids must be integers (MovieLens). */
  numericIds: boolean;
}

const INTEGER = /^-?\d+$/;

/** Parses a delimited event log into an `InteractionLog`, with errors naming file, line and text. */
export function parseDelimited(path: string, format: DelimitedFormat): InteractionLog {
  const { columns } = format;
  const needed = Math.max(columns.user, columns.item, columns.rating ?? -1, columns.time ?? -1) + 1;
  const builder = new InteractionLogBuilder(
    path,
    columns.rating !== undefined,
    columns.time !== undefined,
  );
  const expectation = `lines of the form ${format.expected}`;
  forEachLine(path, expectation, (line, lineNumber) => {
    if (lineNumber <= format.headerLines) return;
    if (line.trim() === '') return;
    // Whitespace-separated formats tolerate whitespace around the line.
    const fields = (typeof format.delimiter === 'string' ? line : line.trim()).split(
      format.delimiter,
    );
    const fail = (problem: string): never => {
      throw new UserError(
        `${path}:${lineNumber}: ${problem} in ${quoteLine(line)}; expected ${expectation}.`,
      );
    };
    if (format.columnCount !== undefined && fields.length !== format.columnCount) {
      fail(`found ${fields.length} columns instead of ${format.columnCount}`);
    } else if (fields.length < needed) {
      fail(`found ${fields.length} columns, need at least ${needed}`);
    }
    const user = fields[columns.user].trim();
    const item = fields[columns.item].trim();
    if (user === '' || item === '') fail('empty user or item id');
    if (format.numericIds && !INTEGER.test(user))
      fail(`user id ${quoteField(user)} is not an integer`);
    if (format.numericIds && !INTEGER.test(item))
      fail(`item id ${quoteField(item)} is not an integer`);
    let rating: number | undefined;
    if (columns.rating !== undefined) {
      rating = parseNumber(fields[columns.rating]);
      if (rating === undefined)
        fail(`rating ${quoteField(fields[columns.rating])} is not a number`);
    }
    let time: number | undefined;
    if (columns.time !== undefined) {
      time = parseNumber(fields[columns.time]);
      if (time === undefined) fail(`timestamp ${quoteField(fields[columns.time])} is not a number`);
    }
    builder.add(user, item, rating, time);
  });
  if (builder.size === 0) {
    throw new UserError(`${path} holds no events; expected ${expectation}.`);
  }
  return builder.build();
}

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
