import { UserError } from '../../errors/FarziError';
import type { InteractionAdapter } from '../DataAdapter';
import { quoteLine, readFirstLine } from '../lines';
import { ColumnLayout, parseDelimited, QuoteError, splitFields } from './parseDelimited';

const column = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', minLength: 1 },
  ],
  description: 'a 0-based column index, or a header name when header is true',
};

/**
 * Generic delimited event logs (CSV, TSV, Amazon ratings `item,user,rating,timestamp`, …) with
 * configurable delimiter, header and user / item / rating / time columns.
 */
export const delimitedAdapter: InteractionAdapter = {
  name: 'delimited',
  kind: 'interactions',
  description:
    'generic delimited event log (options: delimiter, header, columns {user,item,time,rating})',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      delimiter: { type: 'string', minLength: 1, default: ',' },
      header: { type: 'boolean', default: false },
      quote: {
        type: 'string',
        maxLength: 1,
        default: '"',
        description:
          'the quote character of quoted fields (RFC 4180: "Book, The" is one field, "" inside it a quote); "" = fields are never quoted',
      },
      columns: {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'item'],
        properties: { user: column, item: column, rating: column, time: column },
        description:
          'where user, item, rating and time are; default: found by name in the header (user/user_id/userId/uid/reviewerID, item/item_id/itemId/movieId/asin/…, rating/score, time/timestamp/ts), or user 0, item 1, rating 2, time 3 without a header',
      },
    },
  },
  load(path, options) {
    const delimiter = options.delimiter === '\\t' ? '\t' : (options.delimiter as string);
    const header = options.header as boolean;
    const quote = (options.quote as string | undefined) ?? '"';
    const names = header ? headerNames(path, delimiter, quote) : [];
    const spec = (options.columns ??
      (header ? columnsByName(path, names, delimiter) : DEFAULT_COLUMNS)) as Record<
      string,
      number | string | undefined
    >;
    const toIndex = (key: string): number | undefined => {
      const value = spec[key];
      if (value === undefined || typeof value === 'number') return value;
      if (!header) {
        throw new UserError(
          `data.options.columns.${key}: "${value}" is a column name, but data.options.header is false; ` +
            'give a 0-based column index or set header to true.',
        );
      }
      const index = names.map((n) => n.trim()).indexOf(value);
      if (index < 0) {
        throw new UserError(
          `${path}:1: no column "${value}" (data.options.columns.${key}) in header ${quoteLine(names.join(delimiter))}.`,
        );
      }
      return index;
    };
    const columns: ColumnLayout = {
      user: toIndex('user') as number,
      item: toIndex('item') as number,
      rating: toIndex('rating'),
      time: toIndex('time'),
    };
    const shown = describeLayout(columns, delimiter);
    const log = parseDelimited(path, {
      delimiter,
      expected: shown,
      headerLines: header ? 1 : 0,
      columns,
      numericIds: false,
      ...(quote ? { quote } : {}),
    });
    // Which column was read as what, for the funnel's first line (a swapped mapping shows there).
    const layout = Object.entries(columns)
      .filter(([, index]) => index !== undefined)
      .map(([name, index]) =>
        header ? `${name} ← "${names[index as number]}"` : `${name} ← column ${index}`,
      )
      .join(', ');
    return { ...log, layout };
  },
};

function describeLayout(columns: ColumnLayout, delimiter: string): string {
  const slots: string[] = [];
  for (const [name, index] of Object.entries(columns)) {
    if (index !== undefined) slots[index] = name;
  }
  const sep = delimiter === '\t' ? '<TAB>' : delimiter;
  return Array.from(slots, (s) => s ?? '…').join(sep);
}

/** The header line's names (its quoting checked like any line's). */
function headerNames(path: string, delimiter: string, quote: string): string[] {
  const line = readFirstLine(path, 'a header line');
  try {
    return splitFields(line, delimiter, quote);
  } catch (error) {
    if (!(error instanceof QuoteError)) throw error;
    throw new UserError(`${path}:1: ${error.message} in the header ${quoteLine(line)}.`);
  }
}

const DEFAULT_COLUMNS = { user: 0, item: 1, rating: 2, time: 3 };

/** Header names each column is found by (compared without case, "_" or "-"). */
const SYNONYMS: Record<string, string[]> = {
  user: ['user', 'userid', 'uid', 'reviewerid', 'customerid', 'visitorid', 'sessionid'],
  item: ['item', 'itemid', 'iid', 'movieid', 'asin', 'productid', 'parentasin', 'trackid'],
  rating: ['rating', 'score', 'stars', 'overall'],
  time: ['time', 'timestamp', 'ts', 'unixreviewtime', 'datetime'],
};

const canonical = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[_\-\s]/g, '');

/** The columns named in the header; user and item must be found (else an error lists the header). */
function columnsByName(path: string, names: string[], delimiter: string) {
  const found: Record<string, number> = {};
  for (const [key, synonyms] of Object.entries(SYNONYMS)) {
    const index = names.findIndex((n) => synonyms.includes(canonical(n)));
    if (index >= 0) found[key] = index;
  }
  if (found.user === undefined || found.item === undefined) {
    throw new UserError(
      `${path}:1: the header ${quoteLine(names.join(delimiter))} names no ${found.user === undefined ? 'user' : 'item'} column that farzi recognises; ` +
        'say which columns hold what with data.options.columns, e.g. {"user": "customer", "item": "book"}.',
    );
  }
  return found;
}
