import * as fs from 'fs';
import { UserError } from '@farzi/core';

/** The file types DuckDB reads for us. */
export type FileType = 'csv' | 'jsonl' | 'parquet';

/** The adapter's options after schema validation (defaults filled in). */
export interface EventLogOptions {
  type: FileType | 'auto';
  delimiter: string;
  header?: boolean;
  columns: { user: Column; item: Column; rating?: Column; time?: Column };
  where?: string;
  minUserEvents: number;
  /** DuckDB's memory_limit (e.g. "1GB"); beyond it, work spills to a temporary folder. */
  memoryLimit?: string;
}

export type Column = number | string;

/** A SQL string literal. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier. */
export function identifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The file type from the options, or from the file name (`.gz` looked through). */
export function fileType(path: string, type: EventLogOptions['type']): FileType {
  if (type !== 'auto') return type;
  const name = path.toLowerCase().replace(/\.(gz|gzip|zst)$/, '');
  if (name.endsWith('.parquet') || name.endsWith('.pq')) return 'parquet';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson') || name.endsWith('.json')) {
    return 'jsonl';
  }
  return 'csv';
}

/**
 * The table function that reads the file. CSV types are detected by DuckDB (so that `where` compares
 * numbers as numbers), except `textColumns` — the id columns — which are read as written (`007`
 * stays `007`, as with the built-in parser); quoting follows RFC 4180.
 */
export function readerSql(
  path: string,
  type: FileType,
  options: EventLogOptions,
  textColumns: readonly string[] = [],
): string {
  const file = literal(path);
  if (type === 'parquet') return `read_parquet(${file})`;
  if (type === 'jsonl') return `read_json(${file}, format = 'newline_delimited')`;
  const delimiter = options.delimiter === '\\t' ? '\t' : options.delimiter;
  const types = textColumns.map((name) => `${literal(name)}: 'VARCHAR'`);
  // Malformed records are collected (reject_errors) instead of failing the sniffer, and reported
  // with their line after the scan.
  const settings = [
    'store_rejects = true',
    `header = ${options.header === true}`,
    ...(types.length === 0 ? [] : [`types = {${types.join(', ')}}`]),
    `delim = ${literal(delimiter)}`,
  ];
  return `read_csv(${file}, ${settings.join(', ')})`;
}

/** Fails early, with the path, when a plain path (not a glob) names no readable file. */
export function checkReadable(path: string): void {
  if (/[*?[]/.test(path)) return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new UserError(
      `${path}: no such file; expected an event log (CSV/TSV, optionally .gz, JSON lines or Parquet).`,
    );
  }
  if (stat.isDirectory()) {
    throw new UserError(
      `${path} is a folder; expected an event log file, or a glob such as ${path}/*.parquet.`,
    );
  }
  if (stat.size === 0) {
    throw new UserError(`${path} is empty; expected an event log with one event per record.`);
  }
}
