import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors/FarziError';

/** A data set this project knows by name (`data.dataset`), with where its files live. */
export interface KnownDataset {
  readonly name: string;
  /** The data format that reads it. */
  readonly format: string;
  /** Its folder inside a data directory. */
  readonly folder: string;
  /** The file the format reads, inside the folder (absent: the folder itself). */
  readonly file?: string;
  /** What to put there (for messages and `datasets list`). */
  readonly files: string;
  readonly source: string;
  /** `npx farzi datasets fetch <name>` downloads it. */
  readonly fetchable?: boolean;
}

export const KNOWN_DATASETS: readonly KnownDataset[] = [
  {
    name: 'movielens-100k',
    format: 'movielens-100k',
    folder: 'ml-100k',
    file: 'u.data',
    files: 'u.data (and u.item for titles)',
    source: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip',
    fetchable: true,
  },
  {
    name: 'movielens-1m',
    format: 'movielens-dat',
    folder: 'ml-1m',
    file: 'ratings.dat',
    files: 'ratings.dat',
    source: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip',
  },
  {
    name: 'movielens-20m',
    format: 'movielens-csv',
    folder: 'ml-20m',
    file: 'ratings.csv',
    files: 'ratings.csv',
    source: 'https://files.grouplens.org/datasets/movielens/ml-20m.zip',
  },
  {
    name: 'amazon-beauty',
    format: 'user-sequences',
    folder: 'amazon-beauty',
    file: 'Beauty.txt',
    files: 'Beauty.txt',
    source:
      "McAuley's Amazon reviews (Beauty), 5-core, one line per user, as published with the ICLRec code (github.com/salesforce/ICLRec, data/Beauty.txt)",
  },
  {
    name: 'amazon-sports',
    format: 'user-sequences',
    folder: 'amazon-sports',
    file: 'Sports_and_Outdoors.txt',
    files: 'Sports_and_Outdoors.txt',
    source:
      "McAuley's Amazon reviews (Sports and Outdoors), 5-core, as published with the ICLRec code (data/Sports_and_Outdoors.txt)",
  },
  {
    name: 'amazon-toys',
    format: 'user-sequences',
    folder: 'amazon-toys',
    file: 'Toys.txt',
    files: 'Toys.txt',
    source:
      "McAuley's Amazon reviews (Toys and Games), 5-core, the same preprocessing as Beauty and Sports (one line per user)",
  },
  {
    name: 'ptb',
    format: 'text',
    folder: 'ptb',
    files: 'ptb.train.txt, ptb.valid.txt, ptb.test.txt',
    source: "Mikolov's PTB preprocessing (simple-examples.tgz, data/ptb.*.txt)",
  },
];

export function knownDataset(name: string): KnownDataset | undefined {
  return KNOWN_DATASETS.find((d) => d.name === name);
}

/**
 * The file (or folder) of a known data set in the first of `dirs` that holds it; a missing data
 * set is a `UserError` saying where it looked and how to get it.
 */
export function locateDataset(name: string, dirs: readonly string[]): string {
  const known = knownDataset(name);
  if (!known) {
    throw new UserError(
      `data.dataset: unknown data set "${name}"; known: ${KNOWN_DATASETS.map((d) => d.name).join(', ')} (or give data.format and data.path).`,
    );
  }
  const candidates = dirs.map((d) => path.resolve(d, known.folder, known.file ?? ''));
  const found = candidates.find((c) => fs.existsSync(c));
  if (found) return found;
  const fetch = known.fetchable
    ? `Download it with \`npx farzi datasets fetch ${name}\` (into the cache), or put`
    : `Get it from ${known.source} and put`;
  throw new UserError(
    `data set ${name} was not found: looked for ${path.join(known.folder, known.file ?? '')} in ${dirs.join(', ') || '(no data directory)'}. ` +
      `${fetch} ${known.files} into <data dir>/${known.folder}/, where <data dir> is --data-dir, ` +
      '$FARZI_DATA_DIR or ~/.cache/farzi; or set data.format and data.path to read your own copy.',
  );
}
