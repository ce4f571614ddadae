import { UserError } from '../../errors/FarziError';
import type { InteractionAdapter } from '../DataAdapter';
import { InteractionLogBuilder } from '../InteractionLog';
import { forEachLine, quoteLine, resolveDataFile } from '../lines';

const INTEGER = /^-?\d+$/;
const SEPARATOR = /[ \t]+/;

/**
 * One line per user, `user item item …` with the items in time order, separated by spaces or tabs
 * (the S3-Rec / CL4SRec / ICLRec format of the Amazon Beauty and Sports files). Blank lines and
 * surrounding whitespace are ignored; a user without items, a user on two lines, or (with
 * `integerIds`, the default) an id that is not an integer is an error naming the file and line.
 */
export const userSequencesAdapter: InteractionAdapter = {
  name: 'user-sequences',
  kind: 'interactions',
  description:
    'one line per user, "user item item …" in time order (the Amazon Beauty/Sports files)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      integerIds: {
        type: 'boolean',
        default: true,
        description: 'user and item ids must be integers (as in the published files)',
      },
    },
  },
  load(path, options) {
    const integerIds = (options.integerIds as boolean | undefined) ?? true;
    const file = resolveDataFile(
      path,
      (n) => n.endsWith('.txt'),
      'a .txt file with one line per user',
    );
    const expected = `one line per user: "user item item …", ${integerIds ? 'integer ids ' : 'ids '}separated by spaces or tabs`;
    const builder = new InteractionLogBuilder(file, false, false);
    const seenOn = new Map<string, number>();
    forEachLine(file, expected, (line, lineNumber) => {
      const trimmed = line.trim();
      if (trimmed === '') return;
      const fields = trimmed.split(SEPARATOR);
      const fail = (problem: string): never => {
        throw new UserError(
          `${file}:${lineNumber}: ${problem} in ${quoteLine(line)}; expected ${expected}.`,
        );
      };
      const user = fields[0];
      if (fields.length < 2) fail(`user ${quoteLine(user)} has no items`);
      if (integerIds) {
        fields.forEach((id, i) => {
          if (!INTEGER.test(id))
            fail(`${i === 0 ? 'user' : 'item'} id ${quoteLine(id)} is not an integer`);
        });
      }
      const earlier = seenOn.get(user);
      if (earlier !== undefined)
        fail(`user ${quoteLine(user)} already had a line (line ${earlier})`);
      seenOn.set(user, lineNumber);
      for (let i = 1; i < fields.length; i++) builder.add(user, fields[i]);
    });
    if (builder.size === 0) throw new UserError(`${file} holds no users; expected ${expected}.`);
    return builder.build();
  },
};
