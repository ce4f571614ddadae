import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { locateDataset } from '@farzi/core';

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
  return path.dirname(locateDataset('movielens-100k', dataDirs(flag)));
}

/** Makes a relative `data.path` of a raw config absolute, from `baseDir`. */
export function absoluteDataPath(raw: Record<string, unknown>, baseDir: string): void {
  const data = raw.data as Record<string, unknown> | undefined;
  if (typeof data === 'object' && data !== null && typeof data.path === 'string') {
    data.path = path.resolve(baseDir, data.path);
  }
}

/** Fills the path of a data set named by `data.dataset` (searched in `dataDirs(flag)`). */
export function locateNamedDataset(raw: Record<string, unknown>, flag?: string): void {
  const data = raw.data as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null) return;
  if (typeof data.dataset === 'string' && data.path === undefined) {
    data.path = locateDataset(data.dataset, dataDirs(flag));
  }
}

/** A run's data set named by `data.dataset` is found again when its recorded path is gone. */
export function relocateRunData(raw: Record<string, unknown>, flag?: string): void {
  const data = raw.data as Record<string, unknown> | undefined;
  if (!data || typeof data.dataset !== 'string') return;
  if (typeof data.path === 'string' && fs.existsSync(data.path)) return;
  data.path = locateDataset(data.dataset, dataDirs(flag));
}
