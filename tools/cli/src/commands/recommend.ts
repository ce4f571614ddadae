import { selectBackend, UserError, Vocabulary } from '@farzi/core';
import type { Command } from '../Command';
import { loadExport } from '../exported';
import { pluginTrust, PluginTrust, trustOptions } from '../plugins';
import { loadRun } from '../runs';
import { itemTitles } from '../titles';

/** What recommends: a training run, or an export (a folder or the browser page's .zip). */
interface Recommender {
  readonly label: string;
  readonly vocab: Vocabulary;
  readonly titles: Map<string, string>;
  recommend(history: readonly string[], k: number): { item: string; score: number }[];
  userHistory?(user: string): Promise<string[]>;
  dispose(): void;
}

async function openRecommender(values: Record<string, unknown>, trust: PluginTrust) {
  if (typeof values.export === 'string' && values.export !== '') {
    await selectBackend('auto');
    const exported = loadExport(values.export, {
      plugins: (values.plugin as string[] | undefined) ?? [],
    });
    const recommender: Recommender = {
      label: values.export,
      vocab: exported.vocab,
      titles: new Map(),
      recommend: (history, k) => exported.recommend(history, k),
      dispose: () => exported.dispose(),
    };
    return recommender;
  }
  if (typeof values.run !== 'string' || values.run === '')
    throw new UserError('give --run <run-dir> (a training run) or --export <dir|zip> (an export).');
  const run = await loadRun(values.run, trust);
  const recommender: Recommender = {
    label: values.run,
    vocab: run.split.vocab,
    titles: itemTitles(run.config.data),
    recommend: (history, k) => run.recommend(history, k),
    userHistory: (user) => run.userHistory(user),
    dispose: () => run.dispose(),
  };
  return recommender;
}

export const recommendCommand: Command = {
  name: 'recommend',
  summary: "a trained model's top-k next items for a user of the data set or for a given history",
  options: {
    run: { type: 'string', value: '<run-dir>', description: 'a training run directory' },
    export: {
      type: 'string',
      value: '<dir|zip>',
      description:
        'an export instead of a run: a folder from `farzi export`, or the .zip the browser page (`farzi web`) downloads',
    },
    ...trustOptions,
    user: {
      type: 'string',
      value: '<id>',
      description: "a user of the run's data set (their whole history is used)",
    },
    history: {
      type: 'string',
      value: '"<item> <item> …"',
      description: 'item ids in time order, separated by spaces or commas',
    },
    k: { type: 'string', value: '<n>', description: 'how many items (default 10)' },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  examples: [
    'npx farzi recommend --run runs/quick --user 196',
    'npx farzi recommend --run runs/quick --history "242 302 377" --k 5 --json',
    'npx farzi recommend --export sasrec-export.zip --history "242 302 377"',
  ],
  async run(values, io) {
    const k = values.k === undefined ? 10 : Number(values.k);
    if (!Number.isInteger(k) || k < 1) {
      throw new UserError(`--k: expected a positive integer (got "${values.k}").`);
    }
    if ((values.user === undefined) === (values.history === undefined)) {
      throw new UserError('give exactly one of --user <id> and --history "<item> <item> …".');
    }
    if (values.run !== undefined && values.export !== undefined)
      throw new UserError('give one of --run and --export, not both.');
    if (values.export !== undefined && values.user !== undefined)
      throw new UserError(
        '--user needs the data set of a run (--run); with --export give --history "<item> <item> …".',
      );
    const source = await openRecommender(values, pluginTrust(values));
    const dir = source.label;
    try {
      const given =
        values.user !== undefined && source.userHistory
          ? await source.userHistory(String(values.user))
          : String(values.history)
              .split(/[\s,]+/)
              .filter(Boolean);
      if (given.length === 0) throw new UserError('--history: no item ids given.');
      // Items the model never saw are left out with a note; a history of nothing known is an error.
      const known = (id: string) => (source.vocab.indexOf(id) ?? 0) > 0;
      const history = given.filter(known);
      const ignored = given.filter((id) => !known(id));
      if (history.length === 0) {
        throw new UserError(
          `none of the --history items is in the vocabulary of ${dir} (${source.vocab.numTokens} items): ${ignored
            .slice(0, 5)
            .map((i) => JSON.stringify(i).slice(0, 40))
            .join(', ')}${ignored.length > 5 ? ', …' : ''}.`,
        );
      }
      if (ignored.length > 0) {
        io.err(
          `recommend: left out ${ignored.length} item(s) not in the vocabulary of ${dir}: ${ignored
            .slice(0, 5)
            .map((i) => JSON.stringify(i).slice(0, 40))
            .join(', ')}${ignored.length > 5 ? ', …' : ''}\n`,
        );
      }
      const titles = source.titles;
      const items = source.recommend(history, k).map((r, i) => ({
        rank: i + 1,
        item: r.item,
        score: r.score,
        ...(titles.has(r.item) ? { title: titles.get(r.item) } : {}),
      }));
      const note =
        items.length === 0
          ? `nothing left to recommend: the history holds every one of the ${source.vocab.numTokens} items of ${dir}`
          : undefined;
      if (values.json) {
        const extra = { ...(ignored.length ? { ignored } : {}), ...(note ? { note } : {}) };
        const from = values.export !== undefined ? { export: dir } : { run: dir };
        io.out(`${JSON.stringify({ ...from, history, items, ...extra }, null, 2)}\n`);
        return 0;
      }
      const shown = history.length > 10 ? `… ${history.slice(-10).join(' ')}` : history.join(' ');
      io.out(`history (${history.length} items): ${shown}\n`);
      if (note) io.out(`${note}\n`);
      // Scores are the model's logits for the next item: comparable within a list, not probabilities.
      if (items.length)
        io.out(`${'#'.padStart(3)}  ${'item'.padEnd(8)} ${'score'.padStart(8)}  (logit)\n`);
      for (const r of items) {
        io.out(
          `${String(r.rank).padStart(3)}. ${r.item.padEnd(8)} ${r.score.toFixed(3).padStart(8)}${r.title ? `  ${r.title}` : ''}\n`,
        );
      }
      return 0;
    } finally {
      source.dispose();
    }
  },
};
