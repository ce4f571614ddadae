import * as fs from 'fs';
import * as path from 'path';
import {
  definePlugin,
  Distiller,
  DistillResult,
  fingerprintSplit,
  sequenceSource,
  TrainingSourceFactory,
  UserError,
  writeJsonAtomic,
} from '@farzi/core';

/**
 * A third distillation method in one file, as docs/adding-a-distiller.md walks through it: a
 * *coverage coreset* — μ real users, each cut to their last ξ items, picked greedily so that every
 * pick adds the most items no earlier pick holds (a catalogue-coverage baseline at the budget of
 * Farzi Data [μ×ξ]). It writes `coreset.json` and names the training source that reads it; the
 * CLI, report and benchmarks need nothing else. Tested in distillers.spec.ts.
 */
interface CoresetFile {
  readonly fingerprint: string;
  readonly users: number[];
  readonly length: number;
}

export const coresetDistiller: Distiller = {
  name: 'coreset',
  description: 'real users picked greedily for item coverage, each cut to their last ξ items',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      users: { type: 'integer', minimum: 1, default: 10, description: 'μ: users kept' },
      length: { type: 'integer', minimum: 2, default: 20, description: 'ξ: last items per user' },
    },
  },
  async distill({ config, split, outDir }): Promise<DistillResult<{ itemsCovered: number }>> {
    if (split.kind !== 'leave-one-out') throw new UserError('coreset: needs users (not text).');
    const started = Date.now();
    const { users: mu, length: xi } = config.distill as unknown as {
      users: number;
      length: number;
    };
    const recent = split.train.map((s) => s.subarray(Math.max(0, s.length - xi)));
    const covered = new Set<number>();
    const chosen: number[] = [];
    for (let k = 0; k < Math.min(mu, recent.length); k++) {
      let best = -1;
      let gain = -1;
      recent.forEach((s, u) => {
        if (chosen.includes(u)) return;
        const g = new Set([...s].filter((i) => !covered.has(i))).size;
        if (g > gain) [best, gain] = [u, g];
      });
      chosen.push(best);
      for (const i of recent[best]) covered.add(i);
    }
    fs.mkdirSync(outDir, { recursive: true });
    const dataFile = path.resolve(outDir, 'coreset.json');
    const content: CoresetFile = {
      fingerprint: fingerprintSplit(split),
      users: chosen,
      length: xi,
    };
    writeJsonAtomic(dataFile, content);
    const events = chosen.reduce((n, u) => n + recent[u].length - 1, 0);
    const realEvents = split.train.reduce((n, s) => n + s.length - 1, 0);
    const summary = {
      method: 'coreset',
      budget: {
        sequences: chosen.length,
        length: xi,
        events,
        percentOfTraining: (100 * events) / realEvents,
        realTrainingEvents: realEvents,
      },
      bestStep: null,
      bestMetric: null,
      metric: config.eval.metric,
      steps: 0,
      seconds: (Date.now() - started) / 1000,
      details: { itemsCovered: covered.size },
    };
    const source = { name: 'coreset-file', path: dataFile };
    writeJsonAtomic(path.join(outDir, 'summary.json'), { ...summary, source, history: [] });
    return { dataFile, source, summary };
  },
};

/** Reads coreset.json back as training sequences of the same data (checked by fingerprint). */
export const coresetSource: TrainingSourceFactory = {
  name: 'coreset-file',
  description: 'the users a coreset distillation picked (coreset.json)',
  schema: {
    type: 'object',
    required: ['path'],
    properties: { path: { type: 'string', minLength: 1 } },
  },
  create(options, { split, config }) {
    if (split.kind !== 'leave-one-out') throw new UserError('coreset-file: needs users.');
    const file = options.path as string;
    const content = JSON.parse(fs.readFileSync(file, 'utf8')) as CoresetFile;
    if (content.fingerprint !== fingerprintSplit(split)) {
      throw new UserError(`${file} was picked from other data than ${config.data.path}.`);
    }
    const sequences = content.users.map((u) =>
      split.train[u].subarray(Math.max(0, split.train[u].length - content.length)),
    );
    return sequenceSource(
      `coreset of ${sequences.length} users (${file})`,
      sequences,
      config.data.maxLength,
      config.train.everyPrefix,
    );
  },
};

export const coresetModule = definePlugin({
  distillers: [coresetDistiller],
  sources: [coresetSource],
});
