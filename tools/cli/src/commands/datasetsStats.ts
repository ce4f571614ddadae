import {
  describeFunnel,
  FunnelStage,
  KNOWN_DATASETS,
  knownDataset,
  leaveOneOut,
  loadData,
  locateDataset,
  SequenceDataset,
  sequenceStatistics,
  tokenStatistics,
  UserError,
  validateDataConfig,
} from '@farzi/core';
import { requireString } from '../args';
import type { Command } from '../Command';
import { dataDirs } from '../dataLookup';
import { appServices } from '../plugins';

export const datasetsStatsCommand: Command = {
  name: 'datasets stats',
  summary: 'print statistics of a data set (users, items, interactions, sequence lengths, density)',
  options: {
    format: {
      type: 'string',
      value: '<name>',
      description: 'data format (see `farzi datasets list`)',
    },
    path: { type: 'string', value: '<file|folder>', description: 'the data file or folder' },
    dataset: {
      type: 'string',
      value: '<name>',
      description: 'a known data set instead of --format/--path (see `farzi datasets list`)',
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      description: 'where --dataset is looked for (before $FARZI_DATA_DIR and the cache)',
    },
    option: {
      type: 'string',
      multiple: true,
      value: '<key=value>',
      description: 'a format option, e.g. delimiter=;',
    },
    'min-rating': {
      type: 'string',
      value: '<number>',
      description: 'drop interactions rated below this',
    },
    'k-core': { type: 'string', value: '<k>', description: 'k-core filter' },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  examples: [
    'npx farzi datasets stats --format movielens-100k --path ../shared/data/ml-100k',
    'npx farzi datasets stats --format text --path ../shared/data/ptb --json',
    'npx farzi datasets stats --dataset amazon-beauty --data-dir ../shared/data',
    'npx farzi datasets stats --format delimited --path ratings.csv --option header=true --option columns=\'{"user":"uid","item":"iid"}\'',
  ],
  async run(values, io) {
    const { adapters } = appServices();
    const options: Record<string, unknown> = {};
    for (const pair of (values.option as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UserError(`--option ${pair}: expected key=value.`);
      const raw = pair.slice(eq + 1);
      try {
        options[pair.slice(0, eq)] = JSON.parse(raw);
      } catch {
        options[pair.slice(0, eq)] = raw;
      }
    }
    const named = values.dataset as string | undefined;
    const known = named === undefined ? undefined : knownDataset(named);
    if (named !== undefined && !known) {
      throw new UserError(
        `--dataset: unknown data set "${named}"; known: ${KNOWN_DATASETS.map((d) => d.name).join(', ')}.`,
      );
    }
    const raw: Record<string, unknown> = {
      format: known ? known.format : requireString(values, 'format', this),
      path: known
        ? locateDataset(known.name, dataDirs(values['data-dir'] as string | undefined))
        : requireString(values, 'path', this),
      options,
    };
    if (values['min-rating'] !== undefined) raw.minRating = Number(values['min-rating']);
    if (values['k-core'] !== undefined) raw.kCore = Number(values['k-core']);
    const data = await loadData(
      validateDataConfig(raw, adapters, 'the data given by --format, --path and --option'),
      adapters,
    );
    const stats = data.kind === 'sequences' ? sequenceStatistics(data) : tokenStatistics(data);
    // What reading, each filter and the leave-one-out split a training would make keep.
    const funnel = data.kind === 'sequences' ? splitFunnel(data) : undefined;
    if (values.json) {
      io.out(`${JSON.stringify(funnel ? { ...stats, funnel } : stats, null, 2)}\n`);
      return 0;
    }
    const n = (x: number) => x.toLocaleString('en-US');
    if (stats.kind === 'sequences') {
      const l = stats.sequenceLength;
      io.out(
        [
          `data set      ${stats.source}`,
          `users         ${n(stats.users)}`,
          `items         ${n(stats.items)}`,
          `interactions  ${n(stats.interactions)}`,
          `seq. length   min ${l.min}, median ${l.median}, mean ${l.mean.toFixed(1)}, max ${l.max}`,
          `density       ${(stats.density * 100).toFixed(2)}%`,
          ...describeFunnel(funnel ?? []).map(
            (line, i) => `${i === 0 ? 'funnel' : ''}`.padEnd(14) + line,
          ),
          '',
        ].join('\n'),
      );
    } else {
      io.out(
        [
          `corpus        ${stats.source}`,
          `vocabulary    ${n(stats.vocabulary)} words`,
          `train tokens  ${n(stats.tokens.train)}`,
          `valid tokens  ${n(stats.tokens.valid)}`,
          `test tokens   ${n(stats.tokens.test)}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};

/** The data's funnel and the leave-one-out step (users with ≥ 3 events) training would take. */
function splitFunnel(data: SequenceDataset): readonly FunnelStage[] | undefined {
  try {
    return leaveOneOut(data).funnel;
  } catch {
    return data.funnel; // no user with 3 events: the split itself will say so when training
  }
}
