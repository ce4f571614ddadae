import { UserError } from '../../errors/FarziError';
import type { InteractionAdapter } from '../DataAdapter';
import { quoteLine, readFirstLine } from '../lines';
import { ColumnLayout, parseDelimited } from './parseDelimited';

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
      columns: {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'item'],
        properties: { user: column, item: column, rating: column, time: column },
        default: { user: 0, item: 1, rating: 2, time: 3 },
      },
    },
  },
  load(path, options) {
    const delimiter = options.delimiter === '\\t' ? '\t' : (options.delimiter as string);
    const header = options.header as boolean;
    const spec = options.columns as Record<string, number | string | undefined>;
    const names = header ? readFirstLine(path, 'a header line').split(delimiter) : [];
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
    return parseDelimited(path, {
      delimiter,
      expected: shown,
      headerLines: header ? 1 : 0,
      columns,
      numericIds: false,
    });
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
