import type { FilteringInteractionAdapter } from '@farzi/core';
import { readEventLog } from './readEventLog';
import type { EventLogOptions } from './source';

const column = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', minLength: 1 },
  ],
  description: 'a 0-based column index, or a column name (CSV with header, JSON lines, Parquet)',
};

const DEFAULTS: EventLogOptions = {
  type: 'auto',
  delimiter: ',',
  header: false,
  columns: { user: 0, item: 1, rating: 2, time: 3 },
  minUserEvents: 0,
};

/**
 * Large event logs read by embedded DuckDB: CSV/TSV (quoted fields per RFC 4180, optionally
 * gzipped), JSON lines and Parquet, or a glob of such files. The data filters (`minRating`,
 * `kCore`) and the adapter's own (`where`, `minUserEvents`) run in SQL before anything reaches
 * JavaScript.
 */
export const eventLogAdapter: FilteringInteractionAdapter = {
  name: 'event-log',
  kind: 'filtered-interactions',
  description:
    'large event logs via DuckDB: CSV/TSV (.gz), JSON lines, Parquet; filters in SQL (options: type, delimiter, header, columns, where, minUserEvents)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: {
        enum: ['auto', 'csv', 'jsonl', 'parquet'],
        default: DEFAULTS.type,
        description:
          'file type; auto: by extension (.parquet, .jsonl/.ndjson/.json, else CSV), .gz looked through',
      },
      delimiter: {
        type: 'string',
        minLength: 1,
        default: ',',
        description: 'CSV field delimiter ("\\t" for TSV)',
      },
      header: {
        type: 'boolean',
        default: false,
        description: 'CSV: the first line names the columns',
      },
      columns: {
        type: 'object',
        additionalProperties: false,
        required: ['user', 'item'],
        properties: { user: column, item: column, rating: column, time: column },
        default: DEFAULTS.columns,
      },
      where: {
        type: 'string',
        minLength: 1,
        description:
          "a SQL condition on the file's columns; records where it is not true are dropped first (e.g. \"country = 'DE' AND event = 'purchase'\")",
      },
      memoryLimit: {
        type: 'string',
        pattern: '^[0-9]+(\\.[0-9]+)?\\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$',
        description:
          'DuckDB\'s memory limit (e.g. "512MB"); beyond it, work spills to a temporary folder. Default: DuckDB\'s (80% of RAM)',
      },
      minUserEvents: {
        type: 'integer',
        minimum: 0,
        default: 0,
        description:
          'drop users with fewer events (after k-core) before items are indexed; 3 drops those leave-one-out would drop later',
      },
    },
  },
  load(path, options, filters) {
    // Defaults again for library callers that skip config validation.
    const settings = { ...DEFAULTS, ...options } as EventLogOptions;
    return readEventLog(path, settings, filters);
  },
};
