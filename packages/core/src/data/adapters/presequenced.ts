import type { InteractionAdapter } from '../DataAdapter';
import { parseDelimited } from './parseDelimited';

/** Pre-sequenced files: one `user item` pair per line, already in time order (SASRec's format). */
export const presequencedAdapter: InteractionAdapter = {
  name: 'presequenced',
  kind: 'interactions',
  description: 'one "user item" pair per line in time order (the SASRec papers\' format)',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  load(path) {
    return parseDelimited(path, {
      delimiter: /\s+/,
      expected: '"user item" (two whitespace-separated ids)',
      headerLines: 0,
      columns: { user: 0, item: 1 },
      columnCount: 2,
      numericIds: false,
    });
  },
};
