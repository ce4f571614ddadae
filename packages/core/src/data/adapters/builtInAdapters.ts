import type { DataAdapter } from '../DataAdapter';
import { delimitedAdapter } from './delimited';
import { movielens100kAdapter } from './movielens100k';
import { movielensCsvAdapter } from './movielensCsv';
import { movielensDatAdapter } from './movielensDat';
import { presequencedAdapter } from './presequenced';
import { recboleAtomicAdapter } from './recboleAtomic';
import { textCorpusAdapter } from './textCorpus';
import { userSequencesAdapter } from './userSequences';

export const builtInAdapters: readonly DataAdapter[] = [
  movielens100kAdapter,
  movielensDatAdapter,
  movielensCsvAdapter,
  recboleAtomicAdapter,
  delimitedAdapter,
  presequencedAdapter,
  userSequencesAdapter,
  textCorpusAdapter,
];
