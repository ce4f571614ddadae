import * as path from 'path';
import {
  checkWritableFile,
  fingerprintSplit,
  loadSplit,
  Rng,
  UserError,
  writeJsonAtomic,
} from '@farzi/core';
import { EVAL_SAMPLE_FORMAT, EvalSample } from '@farzi/web';
import { requireString } from '../args';
import type { Command } from '../Command';
import { configOptions, loadExperiment } from '../experiment';
import { appServices } from '../plugins';
import { itemTitles } from '../titles';

export const exportEvalCommand: Command = {
  name: 'export-eval',
  summary:
    'write a sample of real held-out sequences (and item titles) for the browser page to score a model on',
  options: {
    ...configOptions,
    users: {
      type: 'string',
      value: '<n>',
      description: 'how many users to sample (default 1000; all when fewer)',
    },
    part: {
      type: 'string',
      value: 'test|valid',
      description: 'which held-out item (default test)',
    },
    seed: { type: 'string', value: '<n>', description: 'sampling seed (default 42)' },
    out: { type: 'string', short: 'o', value: '<file.json>', description: 'where to write it' },
  },
  examples: [
    'npx farzi export-eval --config configs/farzi-sasrec-ml100k.json --out eval-ml100k.json',
    'npx farzi export-eval --config configs/farzi-sasrec-beauty.json --users 500 --out eval-beauty.json',
  ],
  async run(values, io) {
    const file = requireString(values, 'config', this);
    const out = requireString(values, 'out', this);
    const whole = (name: string, fallback: number, min: number) => {
      const v = values[name] === undefined ? fallback : Number(values[name]);
      if (!Number.isInteger(v) || v < min)
        throw new UserError(`--${name}: expected a whole number ≥ ${min} (got "${values[name]}").`);
      return v;
    };
    const count = whole('users', 1000, 1);
    const seed = whole('seed', 42, 0);
    const part = values.part === undefined ? 'test' : String(values.part);
    if (part !== 'test' && part !== 'valid')
      throw new UserError(`--part: expected test or valid (got "${part.slice(0, 20)}").`);
    checkWritableFile(out, '--out');
    const config = loadExperiment(
      file,
      values.set as string[] | undefined,
      values.plugin as string[] | undefined,
      values['data-dir'] as string | undefined,
    );
    const split = await loadSplit(config.data, appServices().adapters);
    if (split.kind !== 'leave-one-out')
      throw new UserError(
        `${file}: export-eval needs sequences of items (leave-one-out); ${config.data.format} is a text corpus.`,
      );
    const set = split[part];
    const n = set.targets.length;
    // A uniform sample without replacement, in the split's order (Fisher–Yates on the indices).
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const rng = new Rng(seed);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const chosen = [...order.subarray(0, Math.min(count, n))].sort((a, b) => a - b);
    const token = (i: number) => split.vocab.tokens[i];
    const sequences = chosen.map((u) => ({
      history: Array.from(set.histories[u], token),
      target: token(set.targets[u]),
    }));
    const titles = itemTitles(config.data);
    const used = new Set(sequences.flatMap((s) => [...s.history, s.target]));
    const sample: EvalSample = {
      format: EVAL_SAMPLE_FORMAT,
      version: 1,
      source: {
        data: config.data.path ?? '',
        fingerprint: fingerprintSplit(split),
        part,
        users: n,
        seed,
      },
      protocol: `leave-one-out ${part} item; full ranking over every item, the history masked, pessimistic ties`,
      sequences,
      // Titles of every item (the page offers them for a history), where the data set has them.
      ...(titles.size
        ? {
            titles: Object.fromEntries(
              split.vocab.tokens
                .slice(1)
                .filter((t) => titles.has(t))
                .map((t) => [t, titles.get(t) as string]),
            ),
          }
        : {}),
    };
    writeJsonAtomic(out, sample);
    io.out(
      `wrote ${sequences.length} of ${n} users' ${part} sequences (${used.size} items${titles.size ? ', with titles' : ''}) from ${path.basename(file)} to ${out}\n`,
    );
    return 0;
  },
};
