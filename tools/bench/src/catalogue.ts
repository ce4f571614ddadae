import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { appServices, loadExperiment } from '@farzi/cli';
import {
  createModel,
  createOptimizer,
  createSource,
  DataSplit,
  ExperimentConfig,
  LeaveOneOutSplit,
  loadSplit,
  Model,
  NegativeProposal,
  Params,
  selectBackend,
  Trainer,
  TrainingSource,
  writeFileAtomic,
  writeJsonAtomic,
} from '@farzi/core';
import { rankingEvaluator } from '@farzi/metrics';
import { syntheticUserSequences } from './syntheticCatalogue';

/*
 * Large catalogues (Amazon Beauty 12k items, Sports 18k): what a SASRec epoch and a full-ranking
 * evaluation cost, in the same run with and without the fast paths.
 *  epoch    one epoch on Beauty (configs/sasrec-beauty.json: full softmax, L 50, batch 128) and a
 *           full-ranking evaluation of all its users; the dense path (logits at every position,
 *           [B, L, |V|] logits in evaluation) timed on a slice and projected; the epoch with
 *           train.lengthBuckets 16.
 *  memory   peak process memory (max RSS) of one epoch plus a full-ranking evaluation of all users
 *           on Sports, measured in a child process.
 *  scaling  epoch time against events (10k–1M at |V| 12k) and |V| (2k–100k at 100k events) on
 *           seeded synthetic data shaped like Beauty, from timed steps; fitted log-log exponents.
 *  loss     step time of the full softmax against a sampled softmax (256 popularity negatives).
 * Usage: node tools/bench/dist/catalogue.js [--parts epoch,memory,loss,scaling] [--steps 30]
 *        [--out benchmarks/catalogue]
 */
const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'epoch,memory,loss,scaling' },
    steps: { type: 'string', default: '30' },
    out: { type: 'string', default: 'benchmarks/catalogue' },
    config: { type: 'string', default: 'configs/sasrec-sports.json' },
  },
});

const services = appServices();

/** The same model without its fast paths: logits over every position and every item. */
function densePath(model: Model): Model {
  return {
    ...model,
    hiddenStates: undefined,
    outputLayer: undefined,
    leftPaddingInvariant: undefined,
  };
}

/** The first `count` batches of a source's epoch (the rest never built). */
function firstBatches(source: TrainingSource, count: number, batchSize: number): TrainingSource {
  return {
    ...source,
    numSequences: Math.min(source.numSequences, count * batchSize),
    *batches(b, rng, options) {
      let i = 0;
      for (const batch of source.batches(b, rng, options)) {
        if (i++ >= count) {
          tf.dispose([batch.inputs, batch.targets]);
          return;
        }
        yield batch;
      }
    },
  };
}

async function train(
  model: Model,
  source: TrainingSource,
  config: ExperimentConfig,
  lengthBuckets = config.train.lengthBuckets,
  proposal?: NegativeProposal,
): Promise<{ seconds: number; params: Params }> {
  const started = Date.now();
  const result = await new Trainer({
    model,
    source,
    optimizer: createOptimizer(config.train.optimizer, config.train.learningRate),
    epochs: 1,
    batchSize: config.train.batchSize,
    seed: config.seed,
    lengthBuckets,
    proposal,
  }).run();
  return { seconds: (Date.now() - started) / 1000, params: result.params };
}

/** Seconds per training step over `count` steps after 3 warm-up steps. */
async function secondsPerStep(
  model: Model,
  source: TrainingSource,
  config: ExperimentConfig,
  count: number,
  proposal?: NegativeProposal,
): Promise<number> {
  const b = config.train.batchSize;
  const buckets = config.train.lengthBuckets;
  tf.dispose(
    Object.values(
      (await train(model, firstBatches(source, 3, b), config, buckets, proposal)).params,
    ),
  );
  const timed = await train(model, firstBatches(source, count, b), config, buckets, proposal);
  tf.dispose(Object.values(timed.params));
  return timed.seconds / Math.min(count, Math.ceil(source.numSequences / b));
}

async function evaluateSeconds(
  model: Model,
  params: Params,
  split: LeaveOneOutSplit,
  config: ExperimentConfig,
  users?: number,
): Promise<{ seconds: number; users: number; ndcg: number }> {
  const part =
    users === undefined
      ? split.valid
      : {
          userIndex: split.valid.userIndex.subarray(0, users),
          histories: split.valid.histories.slice(0, users),
          targets: split.valid.targets.subarray(0, users),
        };
  const started = Date.now();
  const result = await rankingEvaluator.evaluate({
    model,
    params,
    split: { ...split, valid: part },
    part: 'valid',
    config: config.eval,
    seed: config.seed,
  });
  return {
    seconds: (Date.now() - started) / 1000,
    users: part.targets.length,
    ndcg: result.metrics['NDCG@10'],
  };
}

async function setup(file: string, sets: string[] = []) {
  const config = loadExperiment(file, sets);
  const split = await loadSplit(config.data, services.adapters);
  const model = createModel(config, split, services);
  const source = createSource(config, split, services);
  return { config, split: split as LeaveOneOutSplit, model, source };
}

async function epochPart(steps: number) {
  const { config, split, model, source } = await setup('configs/sasrec-beauty.json');
  const stepsPerEpoch = Math.ceil(source.numSequences / config.train.batchSize);
  const fast = await train(model, source, config, 0);
  const fastEval = await evaluateSeconds(model, fast.params, split, config);
  const bucketed = await train(model, source, config, 16);
  tf.dispose(Object.values(bucketed.params));
  const dense = densePath(model);
  const denseStep = await secondsPerStep(dense, source, config, Math.min(steps, 15));
  const denseEval = await evaluateSeconds(dense, fast.params, split, config, 1024);
  tf.dispose(Object.values(fast.params));
  const users = split.valid.targets.length;
  return {
    dataset: 'amazon-beauty',
    users,
    items: split.vocab.numTokens,
    stepsPerEpoch,
    epochSeconds: fast.seconds,
    epochSecondsLengthBuckets16: bucketed.seconds,
    evalSeconds: fastEval.seconds,
    denseEpochSecondsProjected: denseStep * stepsPerEpoch,
    denseStepSeconds: denseStep,
    denseEvalSecondsProjected: (denseEval.seconds / denseEval.users) * users,
  };
}

/** Step time of the full softmax against a sampled softmax (256 popularity negatives), alternated. */
async function lossPart(steps: number) {
  const { config, split, model, source } = await setup('configs/sasrec-beauty.json', [
    'train.lengthBuckets=0',
  ]);
  const proposal = NegativeProposal.popularity(split.train, split.vocab.size, 256);
  const full: number[] = [];
  const sampled: number[] = [];
  for (let round = 0; round < 2; round++) {
    full.push(await secondsPerStep(model, source, config, steps));
    sampled.push(await secondsPerStep(model, source, config, steps, proposal));
  }
  return {
    dataset: 'amazon-beauty',
    negatives: 256,
    fullSecondsPerStep: full,
    sampledSecondsPerStep: sampled,
  };
}

async function memoryChild() {
  const { config, split, model, source } = await setup(values.config as string);
  const trained = await train(model, source, config, 0);
  const evaluation = await evaluateSeconds(model, trained.params, split, config);
  tf.dispose(Object.values(trained.params));
  process.stdout.write(
    `${JSON.stringify({
      dataset: path.basename(config.data.path),
      items: split.vocab.numTokens,
      users: split.valid.targets.length,
      epochSeconds: trained.seconds,
      evalSeconds: evaluation.seconds,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

function memoryPart() {
  const r = spawnSync(process.execPath, [__filename, '--parts', 'memory-child'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

function exponent(points: { x: number; seconds: number }[]): number {
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => Math.log(p.seconds));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

async function scalingPart(steps: number) {
  const base = loadExperiment('configs/sasrec-beauty.json', []);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-catalogue-'));
  const measure = async (events: number, items: number) => {
    const file = path.join(tmp, `u${events}-v${items}.txt`);
    fs.writeFileSync(file, syntheticUserSequences({ events, items, seed: 7 }));
    const split: DataSplit = await loadSplit(
      { ...base.data, format: 'user-sequences', path: file, options: {} },
      services.adapters,
    );
    const model = createModel(base, split, services);
    const source = createSource(base, split, services);
    const stepsPerEpoch = Math.ceil(source.numSequences / base.train.batchSize);
    const perStep = await secondsPerStep(model, source, base, steps);
    fs.rmSync(file);
    const row = {
      events,
      items,
      trainEvents: source.numEvents,
      stepsPerEpoch,
      secondsPerStep: perStep,
      epochSeconds: perStep * stepsPerEpoch,
      exactEpoch: steps >= stepsPerEpoch,
    };
    console.error(JSON.stringify(row));
    return row;
  };
  const byEvents = [];
  for (const events of [10_000, 30_000, 100_000, 300_000, 1_000_000])
    byEvents.push(await measure(events, 12_000));
  const byItems = [];
  for (const items of [2_000, 5_000, 20_000, 50_000, 100_000])
    byItems.push(await measure(100_000, items));
  fs.rmSync(tmp, { recursive: true, force: true });
  return {
    byEvents,
    byItems,
    eventsExponent: exponent(byEvents.map((r) => ({ x: r.events, seconds: r.epochSeconds }))),
    itemsExponent: exponent(byItems.map((r) => ({ x: r.items, seconds: r.epochSeconds }))),
  };
}

async function main(): Promise<void> {
  const parts = (values.parts as string).split(',');
  const backend = await selectBackend('wasm-native');
  if (parts.includes('memory-child')) return memoryChild();
  const steps = Number(values.steps);
  const outDir = values.out as string;
  const resultsFile = path.join(outDir, 'results.json');
  const previous = fs.existsSync(resultsFile)
    ? JSON.parse(fs.readFileSync(resultsFile, 'utf8'))
    : {};
  const results: Record<string, unknown> = {
    ...previous,
    command: `node tools/bench/dist/catalogue.js ${process.argv.slice(2).join(' ')}`.trim(),
    backend: backend.name,
    date: new Date().toISOString(),
    loadAverageAtStart: os.loadavg(),
  };
  const save = () => {
    writeJsonAtomic(resultsFile, results);
    writeFileAtomic(path.join(outDir, 'results.md'), markdown(results));
  };
  // Each part records the command and the time that measured it (parts run separately are merged).
  const stamp = () => ({ command: results.command, date: new Date().toISOString() });
  if (parts.includes('epoch')) {
    results.epoch = { ...(await epochPart(steps)), ...stamp() };
    save();
  }
  if (parts.includes('memory')) {
    results.memory = { ...memoryPart(), ...stamp() };
    save();
  }
  if (parts.includes('loss')) {
    results.loss = { ...(await lossPart(steps)), ...stamp() };
    save();
  }
  if (parts.includes('scaling')) {
    results.scaling = { ...(await scalingPart(steps)), ...stamp() };
    save();
  }
  save();
  process.stdout.write(markdown(results));
}

function markdown(r: Record<string, unknown>): string {
  const f = (x: number, d = 1) => x.toFixed(d);
  const lines = [
    `Command: \`${r.command}\` (${r.backend}, ${r.date}, load average at start ${(r.loadAverageAtStart as number[]).map((x) => x.toFixed(2)).join(' ')})`,
    '',
  ];
  const e = r.epoch as Record<string, number> | undefined;
  if (e) {
    lines.push(
      '| Beauty, SASRec (full softmax, L 50, batch 128) | fast paths | dense path (projected) | ratio |',
      '|---|---|---|---|',
      `| one epoch (${e.stepsPerEpoch} steps) | ${f(e.epochSeconds)} s | ${f(e.denseEpochSecondsProjected)} s | ${f(e.denseEpochSecondsProjected / e.epochSeconds)}× |`,
      `| one epoch, train.lengthBuckets 16 | ${f(e.epochSecondsLengthBuckets16)} s | | |`,
      `| full-ranking evaluation of all ${e.users} users over ${e.items} items | ${f(e.evalSeconds)} s | ${f(e.denseEvalSecondsProjected)} s | ${f(e.denseEvalSecondsProjected / e.evalSeconds)}× |`,
      '',
    );
  }
  const m = r.memory as Record<string, number> | undefined;
  if (m) {
    lines.push(
      `Sports (${m.users} users, ${m.items} items): one epoch ${f(m.epochSeconds)} s, full-ranking evaluation of all users ${f(m.evalSeconds)} s, peak process memory (max RSS) ${f(m.maxRssMB, 0)} MB.`,
      '',
    );
  }
  const l = r.loss as Record<string, number[]> | undefined;
  if (l) {
    const ms = (xs: number[]) => xs.map((x) => (1000 * x).toFixed(0)).join(' / ');
    lines.push(
      `Beauty, SASRec step (batch 128, trimmed batches): full softmax ${ms(l.fullSecondsPerStep)} ms, sampled softmax (256 popularity negatives) ${ms(l.sampledSecondsPerStep)} ms (two alternating rounds).`,
      '',
    );
  }
  const s = r.scaling as
    | {
        byEvents: Record<string, number>[];
        byItems: Record<string, number>[];
        eventsExponent: number;
        itemsExponent: number;
      }
    | undefined;
  if (s) {
    lines.push('| events | items | steps/epoch | s/step | epoch s |', '|---|---|---|---|---|');
    for (const row of [...s.byEvents, ...s.byItems])
      lines.push(
        `| ${row.events} | ${row.items} | ${row.stepsPerEpoch} | ${row.secondsPerStep.toFixed(3)} | ${f(row.epochSeconds)}${row.exactEpoch ? '' : ' (from timed steps)'} |`,
      );
    lines.push(
      '',
      `Fitted exponent of epoch time: ${s.eventsExponent.toFixed(2)} in events (|V| 12k), ${s.itemsExponent.toFixed(2)} in |V| (100k events).`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
