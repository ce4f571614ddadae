import { createHash } from 'crypto';
import type { DataConfig } from '../config/ExperimentConfig';
import type { Registry } from '../di/Registry';
import { UserError } from '../errors/FarziError';
import { buildSequences } from './buildSequences';
import type { DataAdapter } from './DataAdapter';
import type { InteractionLog } from './InteractionLog';
import type { DataSplit, SequenceDataset, TokenSplit } from './Dataset';
import { filterKCore, filterMinRating } from './filters';
import { FunnelStage, logStage, sequenceStage } from './funnel';
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
    const log = await adapter.load(config.path, config.options, filters);
    const data = buildSequences(log);
    return { ...data, funnel: log.funnel ?? [sequenceStage('read', data.sequences)] };
  }
  let log = adapter.load(config.path, config.options);
  const funnel: FunnelStage[] = [logStage(log.layout ? `read (${log.layout})` : 'read', log)];
  if (config.minRating !== undefined) {
    if (!log.rating) {
      throw new UserError(
        `data.minRating is set, but ${log.source} (format "${config.format}") has no ratings.`,
      );
    }
    log = filterMinRating(log, config.minRating);
    funnel.push(logStage(`data.minRating ${config.minRating}`, log));
  }
  if (config.kCore > 1) {
    log = filterKCore(log, config.kCore);
    funnel.push(logStage(`data.kCore ${config.kCore}`, log));
  }
  return { ...buildSequences(log), funnel };
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

/**
 * Why a user of the file is not in the data a run trained on, in words: not in the file, every
 * event dropped by `data.minRating` or `data.kCore`, or fewer than the 3 events leave-one-out needs
 * (training, validation, test). Undefined when the user is in the split (or the data is text).
 */
export async function whyUserAbsent(
  config: DataConfig,
  adapters: Registry<DataAdapter>,
  user: string,
): Promise<string | undefined> {
  const adapter = adapters.get(config.format);
  if (adapter.kind === 'corpus' || config.path === undefined) return undefined;
  const eventsOf = (log: InteractionLog) => {
    const code = log.userIds.indexOf(user);
    let n = 0;
    if (code >= 0) for (let i = 0; i < log.user.length; i++) if (log.user[i] === code) n++;
    return n;
  };
  const who = `user ${JSON.stringify(user).slice(0, 60)}`;
  let log =
    adapter.kind === 'filtered-interactions'
      ? await adapter.load(config.path, config.options, { kCore: 0 })
      : adapter.load(config.path, config.options);
  const read = eventsOf(log);
  if (read === 0)
    return adapter.kind === 'filtered-interactions' && config.options.where !== undefined
      ? `${who} has no events in ${config.path} that pass data.options.where`
      : `${who} has no events in ${config.path}`;
  if (adapter.kind === 'filtered-interactions') {
    const kept = eventsOf(
      await adapter.load(config.path, config.options, {
        minRating: config.minRating,
        kCore: config.kCore,
      }),
    );
    if (kept === 0)
      return `${who}'s ${read} event(s) were all dropped by the filters (data.minRating ${config.minRating ?? '–'}, data.kCore ${config.kCore}, data.options.minUserEvents)`;
    return kept < 3
      ? `${who} has ${kept} event(s) after the filters; leave-one-out needs 3 (training, validation, test)`
      : undefined;
  }
  if (config.minRating !== undefined && log.rating) {
    log = filterMinRating(log, config.minRating);
    if (eventsOf(log) === 0)
      return `all ${read} event(s) of ${who} are rated below data.minRating ${config.minRating}`;
  }
  if (config.kCore > 1) {
    const before = eventsOf(log);
    log = filterKCore(log, config.kCore);
    if (eventsOf(log) === 0)
      return `data.kCore ${config.kCore} dropped ${who} (${before} event(s) before it: users and items with fewer than ${config.kCore} events are removed until none is left)`;
  }
  const kept = eventsOf(log);
  return kept < 3
    ? `${who} has ${kept} event(s) after the filters; leave-one-out needs 3 (training, validation, test)`
    : undefined;
}
