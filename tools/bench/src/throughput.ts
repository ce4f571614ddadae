import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { appServices, loadExperiment } from '@farzi/cli';
import {
  availableEmbeddedBackends,
  BackendName,
  Batch,
  createModel,
  createOptimizer,
  createSource,
  ExperimentConfig,
  loadSplit,
  Params,
  Rng,
  selectBackend,
  Trainer,
  TrainingSource,
  writeFileAtomic,
  writeJsonAtomic,
} from '@farzi/core';
import { kernelCeiling, MatmulRow } from './ceiling';
import { batchLossStep, median, profileSplit, ProfileSplit } from './profiling';
import {
  defaultOuterStepCases,
  DistillRow,
  OUTER_STEP_CASES,
  outerStep,
  outerStepMarkdown,
} from './outerStep';
import { cpuFlags, PeerRun, peerMarkdown, runPeers } from './peers';

/*
 * Speed benchmark: the kernel ceiling (GFLOP/s of a large matmul and of the models' hot matmul
 * shapes) and training throughput of each model with the shared Trainer (seconds per step,
 * sequences/s, tokens/s, seconds per epoch), with the share of step time spent inside kernels
 * (tf.profile), on each requested backend.
 * Usage: node tools/bench/dist/throughput.js [--backends cpu,wasm,wasm-native] [--steps 5]
 *        [--models sasrec,gru4rec,transformer] [--skip-distill] [--distill-cases ml100k-50x50,…]
 *        [--out benchmarks/throughput] [--smoke]
 * Rows not measured again (same backend and setting) are kept from the previous results file.
 */
function parseOptions() {
  return parseArgs({
    options: {
      backends: { type: 'string', default: availableEmbeddedBackends().join(',') },
      models: { type: 'string', default: 'sasrec,gru4rec,transformer' },
      'skip-distill': { type: 'boolean', default: false },
      'distill-cases': { type: 'string' },
      steps: { type: 'string', default: '5' },
      out: { type: 'string', default: 'benchmarks/throughput' },
      smoke: { type: 'boolean', default: false },
      // The PyTorch twins of ../shared/peers, in the same run (skipped, saying why, without torch).
      'skip-peers': { type: 'boolean', default: false },
      shared: { type: 'string', default: '../shared' },
    },
  }).values;
}

interface ModelCase {
  readonly name: string;
  readonly config: string;
  readonly sets: string[];
  readonly setting: string;
}

const MODEL_CASES: Record<string, ModelCase> = {
  sasrec: {
    name: 'SASRec',
    config: 'configs/sasrec-ml100k.json',
    sets: ['data.maxLength=50', 'train.batchSize=128'],
    setting: 'ml-100k, d 50, 2 blocks, L 50, batch 128, full softmax',
  },
  gru4rec: {
    name: 'GRU4Rec',
    config: 'configs/gru4rec-ml100k.json',
    sets: ['train.batchSize=128'],
    setting: 'ml-100k, emb 64, hidden 128, L 50, batch 128',
  },
  transformer: {
    name: 'Transformer LM',
    config: 'configs/transformer-ptb.json',
    sets: ['train.batchSize=32'],
    setting: 'PTB, d 128, 2 layers, 4 heads, 35 tokens, batch 32',
  },
};

export interface TrainingRow {
  backend: string;
  command: string;
  model: string;
  setting: string;
  batchSize: number;
  tokensPerSequence: number;
  secondsPerStep: number;
  sequencesPerSecond: number;
  tokensPerSecond: number;
  stepsPerEpoch: number;
  secondsPerEpoch: number;
  profile: ProfileSplit;
}

/** The first `steps` batches of a source, as a source (the trainer runs one short epoch). */
export function firstBatches(
  source: TrainingSource,
  steps: number,
  batchSize: number,
): TrainingSource {
  return {
    description: source.description,
    numSequences: Math.min(source.numSequences, steps * batchSize),
    numEvents: source.numEvents,
    *batches(size, rng) {
      let n = 0;
      for (const batch of source.batches(size, rng)) {
        yield batch;
        if (++n >= steps) break;
      }
    },
  };
}

function disposeBatch(batch: Batch): void {
  tf.dispose([batch.inputs, batch.targets]);
  if (batch.kind === 'soft') batch.mask.dispose();
}

async function trainingThroughput(
  backend: string,
  key: string,
  steps: number,
  smoke: boolean,
  command: string,
): Promise<TrainingRow> {
  const c = MODEL_CASES[key];
  const services = appServices();
  const sets = [...c.sets, 'train.epochs=1', 'train.evalEvery=0'];
  if (smoke) sets.push('train.batchSize=8');
  const config: ExperimentConfig = loadExperiment(c.config, sets);
  const split = await loadSplit(config.data, services.adapters);
  const model = createModel(config, split, services);
  const source = createSource(config, split, services);
  const batchSize = config.train.batchSize;
  const stamps: number[] = [];
  let tokensPerSequence = 0;
  const trainer = new Trainer({
    model,
    source: firstBatches(source, steps + 1, batchSize),
    optimizer: createOptimizer(config.train.optimizer, config.train.learningRate),
    epochs: 1,
    batchSize,
    seed: config.seed,
    evalEvery: 0,
    logEvery: 1,
    onProgress: (event) => {
      if (event.type === 'step') stamps.push(performance.now());
    },
  });
  const t0 = performance.now();
  const result = await trainer.run();
  const stepTimes = stamps.map((t, i) => t - (i === 0 ? t0 : stamps[i - 1]));
  // Profile one more step outside the trainer: the same loss, gradients and optimiser update.
  const batch = source.batches(batchSize, new Rng(1))[Symbol.iterator]().next().value as Batch;
  tokensPerSequence = batch.inputs.shape[1] as number;
  const profile = await profileSplit(() =>
    batchLossStep(model, result.params as Params, batch, config),
  );
  disposeBatch(batch);
  tf.dispose(Object.values(result.params));
  if (result.bestParams !== result.params) tf.dispose(Object.values(result.bestParams));
  source.dispose?.();
  const secondsPerStep = median(stepTimes.slice(1)) / 1000;
  const stepsPerEpoch = Math.ceil(source.numSequences / batchSize);
  return {
    backend,
    command,
    model: c.name,
    setting: smoke ? `${c.setting} (smoke: batch 8)` : c.setting,
    batchSize,
    tokensPerSequence,
    secondsPerStep,
    sequencesPerSecond: batchSize / secondsPerStep,
    tokensPerSecond: (batchSize * tokensPerSequence) / secondsPerStep,
    stepsPerEpoch,
    secondsPerEpoch: stepsPerEpoch * secondsPerStep,
    profile,
  };
}

function fmt(x: number, digits = 2): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

export function markdown(
  matmuls: MatmulRow[],
  training: TrainingRow[],
  distill: DistillRow[] = [],
  peers?: PeerRun,
): string {
  const commands = [...new Set([...matmuls, ...training, ...distill].map((r) => r.command))];
  const lines = [
    '# Speed benchmark',
    '',
    `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
      `TensorFlow.js ${tf.version_core}, CPU flags ${cpuFlags()}. Made by: ${commands.map((c) => `\`${c}\``).join(', ')}.`,
    '',
    '## Kernel ceiling (matmul, median of the timed repetitions after one warm-up)',
    '',
    '| backend | shape | GFLOP | ms | GFLOP/s |',
    '|---|---|---|---|---|',
    ...matmuls.map(
      (r) =>
        `| ${r.backend} | ${r.shape} | ${fmt(r.gflop, 3)} | ${fmt(r.ms, 1)} | ${fmt(r.gflops)} |`,
    ),
    '',
    '## Training throughput (shared Trainer, median step after one warm-up step)',
    '',
    '| backend | model | setting | s/step | sequences/s | tokens/s | s/epoch | in kernels | top kernels |',
    '|---|---|---|---|---|---|---|---|---|',
    ...training.map(
      (r) =>
        `| ${r.backend} | ${r.model} | ${r.setting} | ${fmt(r.secondsPerStep, 3)} | ` +
        `${fmt(r.sequencesPerSecond, 1)} | ${fmt(r.tokensPerSecond, 0)} | ${fmt(r.secondsPerEpoch, 1)} ` +
        `(${r.stepsPerEpoch} steps) | ${(100 * r.profile.kernelShare).toFixed(0)}% | ` +
        r.profile.topKernels
          .slice(0, 4)
          .map((k) => `${k.name} ${(100 * k.share).toFixed(0)}%`)
          .join(', ') +
        ' |',
    ),
    '',
    '"in kernels": the sum of kernel times reported by `tf.profile` over the wall time of one step ' +
      '(forward, gradients and the Adam update); the rest is framework overhead (op dispatch, tape, ' +
      'allocation). s/epoch = steps per epoch × s/step.',
    '',
    ...outerStepMarkdown(distill),
    ...(peers ? peerMarkdown(peers, training, distill) : []),
  ];
  return lines.join('\n');
}

/** Exits with status 2 naming the choices when a model or outer-step case is unknown. */
function checkCaseNames(models: string[], distillCases: string | undefined): void {
  for (const m of models) {
    if (!MODEL_CASES[m]) {
      process.stderr.write(
        `unknown model "${m}"; expected one of ${Object.keys(MODEL_CASES).join(', ')}\n`,
      );
      process.exit(2);
    }
  }
  for (const c of distillCases ? distillCases.split(',') : []) {
    if (!OUTER_STEP_CASES[c]) {
      process.stderr.write(
        `unknown outer-step case "${c}"; expected one of ${Object.keys(OUTER_STEP_CASES).join(', ')}\n`,
      );
      process.exit(2);
    }
  }
}

/**
 * Rows of backends not measured by this run are kept from the previous results (each row says
 * which command measured it), so backends can be measured one at a time.
 */
function keepPreviousRows(
  file: string,
  matmuls: MatmulRow[],
  training: TrainingRow[],
  distill: DistillRow[],
): void {
  if (fs.existsSync(file)) {
    const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      matmuls?: MatmulRow[];
      training?: TrainingRow[];
      distill?: DistillRow[];
    };
    // A row is replaced only by a row of the same backend and setting measured now.
    const key = (r: { backend: string; setting?: string; shape?: string; model?: string }) =>
      `${r.backend}|${r.model ?? ''}|${r.setting ?? r.shape ?? ''}`;
    const keep = <T extends { backend: string }>(old: T[] = [], now: T[]) => {
      const measured = new Set(now.map(key));
      now.unshift(...old.filter((r) => !measured.has(key(r))));
    };
    keep(previous.matmuls, matmuls);
    keep(previous.training, training);
    keep(previous.distill, distill);
  }
}

async function main(): Promise<void> {
  const values = parseOptions();
  const smoke = Boolean(values.smoke);
  const steps = smoke ? 1 : Number(values.steps);
  const backends = (values.backends as string).split(',') as BackendName[];
  const models = (values.models as string).split(',');
  checkCaseNames(models, values['distill-cases'] as string | undefined);
  const outDir = values.out as string;
  fs.mkdirSync(outDir, { recursive: true });
  const command = `node tools/bench/dist/throughput.js ${process.argv.slice(2).join(' ')}`.trim();
  const matmuls: MatmulRow[] = [];
  const training: TrainingRow[] = [];
  const distill: DistillRow[] = [];
  for (const b of backends) {
    const chosen = await selectBackend(b);
    // The backend column names what ran, e.g. "wasm-native (OpenBLAS 0.3.21, 2 threads)".
    const selected = {
      ...chosen,
      name: chosen.detail ? `${chosen.name} (${chosen.detail})` : chosen.name,
    };
    process.stderr.write(`backend ${selected.name}: kernel ceiling\n`);
    matmuls.push(...kernelCeiling(selected.name, smoke, command));
    for (const m of models) {
      process.stderr.write(`backend ${selected.name}: ${m}\n`);
      training.push(await trainingThroughput(selected.name, m, steps, smoke, command));
      const last = training[training.length - 1];
      process.stderr.write(
        `  ${fmt(last.secondsPerStep, 3)} s/step, ${fmt(last.sequencesPerSecond, 1)} seq/s, ` +
          `${(100 * last.profile.kernelShare).toFixed(0)}% in kernels\n`,
      );
    }
    if (!values['skip-distill']) {
      const cases = values['distill-cases']
        ? (values['distill-cases'] as string).split(',')
        : defaultOuterStepCases(selected.name);
      for (const c of cases) {
        process.stderr.write(`backend ${selected.name}: Farzi outer step ${c}\n`);
        distill.push(await outerStep(selected.name, c, smoke, command));
        const last = distill[distill.length - 1];
        process.stderr.write(
          `  ${fmt(last.total)} s per outer step (reverse ${fmt(last.reverse / last.forward, 1)}× the inner loop)\n`,
        );
      }
    }
  }
  const peers = values['skip-peers']
    ? undefined
    : await runPeers(
        path.resolve(values.shared as string),
        [...new Set(distill.map((d) => d.case ?? ''))].filter((c) => c.startsWith('ml100k')),
        smoke,
      );
  if (peers) process.stderr.write(`${peers.note}\n`);
  const results = {
    command,
    date: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: os.totalmem() / 2 ** 30,
      node: process.version,
      tfjs: tf.version_core,
      cpuFlags: cpuFlags(),
    },
    matmuls,
    training,
    distill,
    ...(peers ? { peers } : {}),
  };
  const file = path.join(outDir, 'results.json');
  keepPreviousRows(file, matmuls, training, distill);
  writeJsonAtomic(file, results);
  writeFileAtomic(path.join(outDir, 'results.md'), markdown(matmuls, training, distill, peers));
  process.stdout.write(markdown(matmuls, training, distill, peers));
}

export { kernelCeiling };

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
