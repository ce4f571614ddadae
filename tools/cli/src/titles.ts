import * as fs from 'fs';
import * as path from 'path';
import type { DataConfig } from '@farzi/core';

/**
 * Item titles where the data set ships them: MovieLens-100K's `u.item` (`id|title|…`, Latin-1)
 * beside `u.data`. Returns an empty map for data sets without titles.
 */
export function itemTitles(data: DataConfig): Map<string, string> {
  const titles = new Map<string, string>();
  if (data.format !== 'movielens-100k') return titles;
  const folder =
    fs.existsSync(data.path) && fs.statSync(data.path).isDirectory()
      ? data.path
      : path.dirname(data.path);
  const file = path.join(folder, 'u.item');
  if (!fs.existsSync(file)) return titles;
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    const [id, title] = line.split('|');
    if (id && title) titles.set(id.trim(), title.trim());
  }
  return titles;
}
