import { UserError } from '@farzi/core';
import { requireString } from '../args';
import type { Command } from '../Command';
import { pluginTrust, trustOptions } from '../plugins';
import { loadRun } from '../runs';
import { itemTitles } from '../titles';

export const recommendCommand: Command = {
  name: 'recommend',
  summary: "a trained run's top-k next items for a user of the data set or for a given history",
  options: {
    run: { type: 'string', value: '<run-dir>', description: 'a training run directory' },
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
  ],
  async run(values, io) {
    const dir = requireString(values, 'run', this);
    const k = values.k === undefined ? 10 : Number(values.k);
    if (!Number.isInteger(k) || k < 1) {
      throw new UserError(`--k: expected a positive integer (got "${values.k}").`);
    }
    if ((values.user === undefined) === (values.history === undefined)) {
      throw new UserError('give exactly one of --user <id> and --history "<item> <item> …".');
    }
    const run = await loadRun(dir, pluginTrust(values));
    try {
      const given =
        values.user !== undefined
          ? run.userHistory(String(values.user))
          : String(values.history)
              .split(/[\s,]+/)
              .filter(Boolean);
      if (given.length === 0) throw new UserError('--history: no item ids given.');
      // Items the run never saw are left out with a note; a history of nothing known is an error.
      const known = (id: string) => (run.split.vocab.indexOf(id) ?? 0) > 0;
      const history = given.filter(known);
      const ignored = given.filter((id) => !known(id));
      if (history.length === 0) {
        throw new UserError(
          `none of the --history items is in the vocabulary of ${dir} (${run.split.vocab.numTokens} items): ${ignored
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
      const titles = itemTitles(run.config.data);
      const items = run.recommend(history, k).map((r, i) => ({
        rank: i + 1,
        item: r.item,
        score: r.score,
        ...(titles.has(r.item) ? { title: titles.get(r.item) } : {}),
      }));
      const note =
        items.length === 0
          ? `nothing left to recommend: the history holds every one of the ${run.split.vocab.numTokens} items of ${dir}`
          : undefined;
      if (values.json) {
        const extra = { ...(ignored.length ? { ignored } : {}), ...(note ? { note } : {}) };
        io.out(`${JSON.stringify({ run: dir, history, items, ...extra }, null, 2)}\n`);
        return 0;
      }
      const shown = history.length > 10 ? `… ${history.slice(-10).join(' ')}` : history.join(' ');
      io.out(`history (${history.length} items): ${shown}\n`);
      if (note) io.out(`${note}\n`);
      for (const r of items) {
        io.out(
          `${String(r.rank).padStart(3)}. ${r.item.padEnd(8)} ${r.score.toFixed(3).padStart(8)}${r.title ? `  ${r.title}` : ''}\n`,
        );
      }
      return 0;
    } finally {
      run.dispose();
    }
  },
};
