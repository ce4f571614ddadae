import type { InteractionAdapter } from '../DataAdapter';
import { resolveDataFile } from '../lines';
import { parseDelimited } from './parseDelimited';

/** MovieLens 100K `u.data`: `user \t item \t rating \t timestamp`, no header. */
export const movielens100kAdapter: InteractionAdapter = {
  name: 'movielens-100k',
  kind: 'interactions',
  description:
    'MovieLens 100K u.data (user\\titem\\trating\\ttimestamp); path: u.data or its folder',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  load(path) {
    const file = resolveDataFile(path, ['u.data'], 'a MovieLens 100K u.data file');
    return parseDelimited(file, {
      delimiter: '\t',
      expected: 'user<TAB>item<TAB>rating<TAB>timestamp',
      headerLines: 0,
      columns: { user: 0, item: 1, rating: 2, time: 3 },
      columnCount: 4,
      numericIds: true,
    });
  },
};
