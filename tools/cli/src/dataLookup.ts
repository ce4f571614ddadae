import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '@farzi/core';

/** The user cache for downloaded data sets. */
export function cacheDir(): string {
  return path.join(os.homedir(), '.cache', 'farzi');
}

/** Where data sets are looked for, in order: --data-dir, $FARZI_DATA_DIR, the user cache. */
export function dataDirs(flag?: string): string[] {
  return [flag, process.env.FARZI_DATA_DIR, cacheDir()].filter((d): d is string => Boolean(d));
}

/** The folder of MovieLens-100K (holding u.data), or a message saying exactly where to put it. */
export function locateMovieLens100k(flag?: string): string {
  const candidates = dataDirs(flag).map((d) => path.join(d, 'ml-100k'));
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'u.data')));
  if (found) return found;
  throw new UserError(
    `MovieLens-100K was not found; looked for ml-100k/u.data in ${candidates.map((c) => path.dirname(c)).join(', ')}. ` +
      `Download it with \`npx farzi datasets fetch movielens-100k\` (needs internet access to files.grouplens.org), ` +
      `or put the files of the official ml-100k.zip (u.data, u.item, …) into ${path.join(cacheDir(), 'ml-100k')}/, ` +
      'or pass --data-dir <folder that contains ml-100k/> (or set FARZI_DATA_DIR).',
  );
}
