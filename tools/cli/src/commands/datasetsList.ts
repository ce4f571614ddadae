import type { Command } from '../Command';
import { appServices } from '../plugins';

/** Data sets this project is tested on, with where to get them. */
const KNOWN_DATASETS = [
  {
    name: 'ml-100k',
    format: 'movielens-100k',
    files: 'u.data',
    source: 'https://files.grouplens.org/datasets/movielens/ml-100k.zip',
  },
  {
    name: 'ml-1m',
    format: 'movielens-dat',
    files: 'ratings.dat',
    source: 'https://files.grouplens.org/datasets/movielens/ml-1m.zip',
  },
  {
    name: 'ml-20m',
    format: 'movielens-csv',
    files: 'ratings.csv',
    source: 'https://files.grouplens.org/datasets/movielens/ml-20m.zip',
  },
  {
    name: 'amazon-beauty',
    format: 'user-sequences',
    files: 'Beauty.txt',
    source: "McAuley's Amazon reviews (Beauty), 5-core, as published with the ICLRec code",
  },
  {
    name: 'amazon-sports',
    format: 'user-sequences',
    files: 'Sports_and_Outdoors.txt',
    source:
      "McAuley's Amazon reviews (Sports and Outdoors), 5-core, as published with the ICLRec code",
  },
  {
    name: 'ptb',
    format: 'text',
    files: 'ptb.train.txt, ptb.valid.txt, ptb.test.txt',
    source: "Mikolov's PTB preprocessing (simple-examples.tgz)",
  },
];

export const datasetsListCommand: Command = {
  name: 'datasets list',
  summary: 'list the data formats and the known data sets',
  options: { json: { type: 'boolean', description: 'machine-readable output' } },
  examples: ['npx farzi datasets list'],
  async run(values, io) {
    const formats = appServices()
      .adapters.values()
      .map((a) => ({ name: a.name, kind: a.kind, description: a.description }));
    if (values.json) {
      io.out(`${JSON.stringify({ formats, datasets: KNOWN_DATASETS }, null, 2)}\n`);
      return 0;
    }
    io.out('Data formats (data.format):\n');
    for (const f of formats) io.out(`  ${f.name.padEnd(16)} ${f.description}\n`);
    io.out('\nKnown data sets:\n');
    for (const d of KNOWN_DATASETS)
      io.out(
        `  ${d.name.padEnd(13)} format ${d.format.padEnd(15)} files: ${d.files}\n                 from ${d.source}\n`,
      );
    return 0;
  },
};
