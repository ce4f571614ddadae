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
  /** Quote character of RFC 4180 quoted fields (string delimiters only; absent: no quoting). */
  quote?: string;
}

/**
 * One line's fields: split at `delimiter`, except inside fields quoted with `quote` (RFC 4180:
 * the quotes are removed, a doubled quote inside is one quote). A quoted field that does not end on
 * the line is an error (fields with line breaks are not supported).
 */
export function splitFields(line: string, delimiter: string, quote = ''): string[] {
  if (!quote || !line.includes(quote)) return line.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.startsWith(quote, i)) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const close = line.indexOf(quote, j);
        if (close < 0) throw new QuoteError();
        value += line.slice(j, close);
        if (line.startsWith(quote, close + 1)) {
          value += quote;
          j = close + 2;
          continue;
        }
        j = close + 1;
        break;
      }
      fields.push(value);
      if (j >= line.length) return fields;
      if (!line.startsWith(delimiter, j)) throw new QuoteError('text after a closing quote');
      i = j + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/** A line whose quoting is broken (its message names what). */
export class QuoteError extends Error {
  constructor(
    what = 'a quoted field does not end on this line (fields with line breaks are not supported)',
  ) {
    super(what);
  }
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
    const fail = (problem: string): never => {
      throw new UserError(
        `${path}:${lineNumber}: ${problem} in ${quoteLine(line)}; expected ${expectation}.`,
      );
    };
    // Whitespace-separated formats tolerate whitespace around the line.
    let fields: string[];
    try {
      fields =
        typeof format.delimiter === 'string'
          ? splitFields(line, format.delimiter, format.quote)
          : line.trim().split(format.delimiter);
    } catch (error) {
      if (!(error instanceof QuoteError)) throw error;
      fields = fail(error.message);
    }
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
