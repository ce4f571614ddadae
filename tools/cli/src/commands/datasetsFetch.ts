import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { RunError, UserError, writeFileAtomic } from '@farzi/core';
import type { Command } from '../Command';
import { cacheDir } from '../dataLookup';
import { readZip } from '../zip';

/** Downloadable data sets: the archive, and the checksum of the file that matters. */
const SOURCES: Record<
  string,
  { url: string; folder: string; check: { file: string; sha256: string } }
> = {
  'movielens-100k': {
    url: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip',
    folder: 'ml-100k',
    check: {
      file: 'u.data',
      sha256: '06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490',
    },
  },
};

async function download(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new RunError(
      `could not download ${url}: ${(error as Error).message}${(error as { cause?: Error }).cause ? ` (${(error as { cause: Error }).cause.message})` : ''}.`,
    );
  }
  if (!response.ok) throw new RunError(`could not download ${url}: HTTP ${response.status}.`);
  return Buffer.from(await response.arrayBuffer());
}

export const datasetsFetchCommand: Command = {
  name: 'datasets fetch',
  summary: 'download a data set into the user cache (~/.cache/farzi) and verify its checksum',
  options: {
    'data-dir': {
      type: 'string',
      value: '<dir>',
      description: 'download into this folder instead of the cache',
    },
  },
  examples: ['npx farzi datasets fetch movielens-100k'],
  positional: true,
  async run(values, io) {
    const names = (values._ as string[] | undefined) ?? [];
    if (names.length !== 1)
      throw new UserError(`name one data set to fetch: ${Object.keys(SOURCES).join(', ')}.`);
    const into = (values['data-dir'] as string | undefined) ?? cacheDir();
    const folder = await fetchDataset(names[0], into, process.env.FARZI_FETCH_URL);
    io.out(`Downloaded ${names[0]} into ${folder} (checksum verified).\n`);
    return 0;
  },
};

export async function fetchDataset(name: string, into: string, url?: string): Promise<string> {
  const source = SOURCES[name];
  if (!source)
    throw new UserError(
      `unknown data set "${name}"; downloadable: ${Object.keys(SOURCES).join(', ')}.`,
    );
  const bytes = await download(url ?? source.url);
  let entries: Map<string, Buffer>;
  try {
    entries = readZip(bytes);
  } catch (error) {
    throw new RunError(
      `the download from ${url ?? source.url} is not a valid zip archive (${(error as Error).message}).`,
    );
  }
  const folder = path.join(into, source.folder);
  let written = 0;
  for (const [entry, data] of entries) {
    const parts = entry.split('/');
    if (parts[0] !== source.folder || parts.length !== 2 || parts.some((p) => p === '..')) continue;
    writeFileAtomic(path.join(folder, parts[1]), data);
    written++;
  }
  const checked = path.join(folder, source.check.file);
  if (!written || !fs.existsSync(checked))
    throw new RunError(`the archive has no ${source.folder}/${source.check.file}.`);
  const digest = createHash('sha256').update(fs.readFileSync(checked)).digest('hex');
  if (digest !== source.check.sha256) {
    fs.rmSync(checked);
    throw new RunError(
      `checksum mismatch for ${checked}: sha256 ${digest}, expected ${source.check.sha256}; the file was removed.`,
    );
  }
  return folder;
}
