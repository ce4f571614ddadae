import { UserError } from '../../errors/FarziError';
import type { InteractionAdapter } from '../DataAdapter';
import { quoteLine, readFirstLine, resolveDataFile } from '../lines';
import { parseDelimited } from './parseDelimited';

const TYPES = new Set(['token', 'token_seq', 'float', 'float_seq']);

/**
 * RecBole atomic `.inter` files: tab-separated with a header of `field:type` tokens, e.g.
 * `user_id:token  item_id:token  rating:float  timestamp:float`. Field names are configurable.
 */
export const recboleAtomicAdapter: InteractionAdapter = {
  name: 'recbole-atomic',
  kind: 'interactions',
  description: 'RecBole atomic .inter file (tab-separated, header of field:type tokens)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      userField: { type: 'string', default: 'user_id' },
      itemField: { type: 'string', default: 'item_id' },
      ratingField: { type: 'string', default: 'rating' },
      timeField: { type: 'string', default: 'timestamp' },
    },
  },
  load(path, options) {
    const file = resolveDataFile(path, (n) => n.endsWith('.inter'), 'a RecBole .inter file');
    const header = readFirstLine(file, 'a header of field:type tokens');
    const fields = header.split('\t').map((token, i) => {
      const [name, type] = token.trim().split(':');
      if (!name || !type || !TYPES.has(type)) {
        throw new UserError(
          `${file}:1: header column ${i + 1} ${quoteLine(token)} is not a field:type token ` +
            `(type one of ${[...TYPES].join(', ')}).`,
        );
      }
      return name;
    });
    const find = (key: string, required: boolean): number | undefined => {
      const name = options[key] as string;
      const index = fields.indexOf(name);
      if (index < 0 && required) {
        throw new UserError(
          `${file}:1: no "${name}" field in the header (fields: ${quoteLine(fields.join(', '))}); ` +
            `set data.options.${key} to the right name.`,
        );
      }
      return index < 0 ? undefined : index;
    };
    const columns = {
      user: find('userField', true) as number,
      item: find('itemField', true) as number,
      rating: find('ratingField', false),
      time: find('timeField', false),
    };
    return parseDelimited(file, {
      delimiter: '\t',
      expected: `${fields.length} tab-separated fields (${fields.join(', ')})`,
      headerLines: 1,
      columns,
      columnCount: fields.length,
      numericIds: false,
    });
  },
};
