import { UserError } from '../../errors/FarziError';
import type { InteractionAdapter } from '../DataAdapter';
import { quoteLine, readFirstLine, resolveDataFile } from '../lines';
import { parseDelimited } from './parseDelimited';

const HEADER = 'userId,movieId,rating,timestamp';

/** MovieLens 20M/25M/32M `ratings.csv`, header `userId,movieId,rating,timestamp`. */
export const movielensCsvAdapter: InteractionAdapter = {
  name: 'movielens-csv',
  kind: 'interactions',
  description: 'MovieLens 20M/25M/32M ratings.csv (header userId,movieId,rating,timestamp)',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  load(path) {
    const file = resolveDataFile(path, ['ratings.csv'], 'a MovieLens ratings.csv file');
    checkHeader(file);
    return parseDelimited(file, {
      delimiter: ',',
      expected: `${HEADER} (after the header line)`,
      headerLines: 1,
      columns: { user: 0, item: 1, rating: 2, time: 3 },
      columnCount: 4,
      numericIds: true,
    });
  },
};

function checkHeader(file: string): void {
  const header = readFirstLine(file, `a header line "${HEADER}"`);
  if (header.trim() !== HEADER) {
    throw new UserError(`${file}:1: header ${quoteLine(header)} is not "${HEADER}".`);
  }
}
