import type { InteractionAdapter } from '../DataAdapter';
import { resolveDataFile } from '../lines';
import { parseDelimited } from './parseDelimited';

/** MovieLens 1M / 10M `ratings.dat`: `user::item::rating::timestamp`, no header. */
export const movielensDatAdapter: InteractionAdapter = {
  name: 'movielens-dat',
  kind: 'interactions',
  description: 'MovieLens 1M/10M ratings.dat (user::item::rating::timestamp); path: file or folder',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  load(path) {
    const file = resolveDataFile(path, ['ratings.dat'], 'a MovieLens ratings.dat file');
    return parseDelimited(file, {
      delimiter: '::',
      expected: 'user::item::rating::timestamp',
      headerLines: 0,
      columns: { user: 0, item: 1, rating: 2, time: 3 },
      columnCount: 4,
      numericIds: true,
    });
  },
};
