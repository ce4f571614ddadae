import { createHash } from 'crypto';
import type { DataConfig } from '../config/ExperimentConfig';
import type { Registry } from '../di/Registry';
import { UserError } from '../errors/FarziError';
import { buildSequences } from './buildSequences';
import type { DataAdapter } from './DataAdapter';
import type { DataSplit, SequenceDataset, TokenSplit } from './Dataset';
import { filterKCore, filterMinRating } from './filters';
import { leaveOneOut, tokenSplit } from './split';

/** Reads the configured data and applies the filters: sequences (events) or token streams (text). */
export async function loadData(
  config: DataConfig,
  adapters: Registry<DataAdapter>,
): Promise<SequenceDataset | TokenSplit> {
  if (config.path === undefined) {
    // The app resolves data.dataset to a path (see locateDataset) before anything loads.
    throw new UserError(
      `data.path: not set for data set ${config.dataset ?? '(none)'}; locate it first (locateDataset) or give data.path.`,
    );
  }
  const adapter = adapters.get(config.format);
  if (adapter.kind === 'corpus') {
    return tokenSplit(adapter.load(config.path, config.options));
  }
  if (adapter.kind === 'filtered-interactions') {
    const filters = { minRating: config.minRating, kCore: config.kCore };
    return buildSequences(await adapter.load(config.path, config.options, filters));
  }
  let log = adapter.load(config.path, config.options);
  if (config.minRating !== undefined) {
    if (!log.rating) {
      throw new UserError(
        `data.minRating is set, but ${log.source} (format "${config.format}") has no ratings.`,
      );
    }
    log = filterMinRating(log, config.minRating);
  }
  if (config.kCore > 1) log = filterKCore(log, config.kCore);
  return buildSequences(log);
}

/** Reads the configured data and splits it: leave-one-out for events, the given parts for text. */
export async function loadSplit(
  config: DataConfig,
  adapters: Registry<DataAdapter>,
): Promise<DataSplit> {
  const data = await loadData(config, adapters);
  return data.kind === 'sequences' ? leaveOneOut(data) : data;
}

/** A short content hash of a split, stored with runs and distilled data to tie them to their source. */
export function fingerprintSplit(split: DataSplit): string {
  const hash = createHash('sha256');
  hash.update(split.kind);
  hash.update(split.vocab.tokens.join('\u0001'));
  const add = (a: Int32Array): void => {
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    hash.update('\u0002');
  };
  if (split.kind === 'tokens') {
    add(split.train);
    add(split.valid);
    add(split.test);
  } else {
    hash.update(split.users.join('\u0001'));
    split.train.forEach(add);
    add(split.valid.targets);
    add(split.test.targets);
  }
  return `sha256:${hash.digest('hex').slice(0, 32)}`;
}
