import * as tf from '@tensorflow/tfjs-core';
import { validateConfig } from '../config/validateConfig';
import { selectBackend, SelectedBackend } from '../backend/selectBackend';
import type { ExperimentConfig } from '../config/ExperimentConfig';
import type { DataSplit } from '../data/Dataset';
import { funnelLines } from '../data/funnel';
import { fingerprintSplit, loadSplit } from '../data/loadData';
import type { Services } from '../di/Services';
import type { Evaluator } from '../eval/Evaluator';
import { checkWritableDirectory } from '../io/directories';
import { encodeEventFile, ScalarEvent } from '../io/tensorboard';
import { describeModel, Model, Params } from '../model/Model';
import { createOptimizer } from '../optim/createOptimizer';
import { UserError } from '../errors/FarziError';
import { NegativeProposal } from './outputLoss';
import type { ProgressListener } from './progress';
import type { RunTrainingOptions, TrainingReport } from './TrainingRun';
import { RunDirectory } from './RunDirectory';
import { EpochRecord, Trainer, TrainerOptions, TrainResult, Validation } from './Trainer';
import type { TrainingSource } from './TrainingSource';

export type { RunTrainingOptions, TrainingReport } from './TrainingRun';

/** Builds the model named in the config for a split. */
export function createModel(config: ExperimentConfig, split: DataSplit, services: Services): Model {
  const { name, ...hyper } = config.model;
  return services.models
    .get(name)
    .create(hyper, { vocabSize: split.vocab.size, maxLength: config.data.maxLength });
}

/** Builds the training source named in `train.source`. */
export function createSource(
  config: ExperimentConfig,
  split: DataSplit,
  services: Services,
): TrainingSource {
  const { name, ...options } = config.train.source;
  return services.sources.get(name).create(options, { split, config });
}

/** The negatives of `train.loss` "sampled-softmax" (undefined for the full softmax). */
export function negativeProposal(
  config: ExperimentConfig,
  split: DataSplit,
  model: Model,
): NegativeProposal | undefined {
  const loss = config.train.loss;
  if (loss.name !== 'sampled-softmax') return undefined;
  if (!model.hiddenStates || !model.outputLayer) {
    throw new UserError(
      `train.loss: "sampled-softmax" needs a model that exposes its output layer; ${model.name} does not (use "softmax").`,
    );
  }
  if (model.trainingLoss) {
    throw new UserError(
      `train.loss: "sampled-softmax" cannot be combined with ${model.name}'s own training loss (model.loss); choose one.`,
    );
  }
  const V = split.vocab.size;
  if (loss.sampling === 'uniform') return NegativeProposal.uniform(V, loss.negatives);
  const sequences = split.kind === 'leave-one-out' ? split.train : [split.train];
  return NegativeProposal.popularity(sequences, V, loss.negatives);
}

/** The evaluator named in `eval.evaluator`, if any evaluator plugin is loaded. */
export function findEvaluator(config: ExperimentConfig, services: Services): Evaluator | undefined {
  return services.evaluators.names().length
    ? services.evaluators.get(config.eval.evaluator)
    : undefined;
}

/**
 * Runs one training experiment end to end: backend, data, model, training source, the shared
 * trainer with validation and checkpoints in a run directory, then final validation and test
 * metrics of the best parameters in `metrics.json`.
 */
export async function runTraining(
  config: ExperimentConfig,
  services: Services,
  options: RunTrainingOptions,
): Promise<TrainingReport> {
  const run = new RunDirectory(options.outDir);
  // Fail fast on an output folder that cannot be used, but create nothing until the data and the
  // model are ready: a run that dies on bad data leaves no directory behind.
  checkWritableDirectory(options.outDir, '--out');
  const backend = options.backend ?? (await selectBackend(config.backend));
  const split = options.split ?? (await loadSplit(config.data, services.adapters));
  const model = createModel(config, split, services);
  findEvaluator(config, services)?.check?.(config.eval, split);
  const proposal = negativeProposal(config, split, model);
  const source = createSource(config, split, services);
  let resuming: boolean;
  try {
    resuming = run.prepare(
      config,
      options.resume ?? false,
      (c) => {
        delete (c.train as Record<string, unknown>).epochs;
        // Training does not read the distill section (runs made before every config named its
        // distiller saved one with defaults filled in).
        delete c.distill;
      },
      undefined,
      (saved) => validateConfig(saved, services, run.file('config.json')),
    );
  } catch (error) {
    source.dispose?.();
    throw error;
  }
  try {
    return await trainInRun(config, services, options, {
      run,
      backend,
      split,
      model,
      source,
      resuming,
      proposal,
    });
  } finally {
    run.close();
  }
}

interface PreparedRun {
  readonly run: RunDirectory;
  readonly backend: SelectedBackend;
  readonly split: DataSplit;
  readonly model: Model;
  readonly source: TrainingSource;
  readonly resuming: boolean;
  readonly proposal: NegativeProposal | undefined;
}

/** The shared trainer's settings for a run (train section, run directory as checkpoint store). */
function trainerOptions(
  config: ExperimentConfig,
  {
    run,
    model,
    source,
    resuming,
    proposal,
  }: Pick<PreparedRun, 'run' | 'model' | 'source' | 'resuming' | 'proposal'>,
  validation: Validation | undefined,
  emit: ProgressListener,
  started: number,
): TrainerOptions {
  return {
    model,
    source,
    optimizer: createOptimizer(config.train.optimizer, config.train.learningRate),
    epochs: config.train.epochs,
    batchSize: config.train.batchSize,
    seed: config.seed,
    validation,
    evalEvery: config.train.evalEvery,
    patience: config.train.earlyStopping.patience,
    logEvery: config.train.logEvery,
    lengthBuckets: config.train.lengthBuckets,
    proposal,
    onProgress: emit,
    onHistory: (history, stepsPerEpoch) => {
      run.writeFile('metrics.csv', metricsCsv(history, stepsPerEpoch));
      run.writeBytes(TENSORBOARD_FILE, tensorboardEvents(history, stepsPerEpoch, started));
    },
    store: run,
    resume: resuming,
    label: model.name,
  };
}

/** Progress to the caller, and to the run's log.jsonl (every 100th step, the last eval event). */
function runLogger(run: RunDirectory, onProgress?: ProgressListener): ProgressListener {
  return (event) => {
    const logged =
      event.type === 'step'
        ? event.step % 100 === 0 || event.step === event.totalSteps
        : event.type !== 'eval' || event.done === event.total;
    if (logged) run.appendLog(event);
    onProgress?.(event);
  };
}

/** data.json (the data and its fingerprint), model.json and vocab.json of a run directory. */
function writeRunDescription(
  run: RunDirectory,
  config: ExperimentConfig,
  split: DataSplit,
  model: Model,
): void {
  run.writeJson('data.json', {
    format: config.data.format,
    path: config.data.path,
    fingerprint: fingerprintSplit(split),
    kind: split.kind,
    // Events, users and items after reading and after each filter (none vanish unannounced).
    ...(split.kind === 'leave-one-out' && split.funnel ? { funnel: split.funnel } : {}),
    vocabulary: split.vocab.numTokens,
    ...(split.kind === 'leave-one-out'
      ? { users: split.users.length }
      : { trainTokens: split.train.length }),
    // Every event of the training part (the denominator of the Farzi budgets' percentages).
    trainingEvents:
      split.kind === 'leave-one-out'
        ? split.train.reduce((n, s) => n + s.length, 0)
        : split.train.length,
    versions: { node: process.versions.node, tfjs: tf.version_core },
  });
  run.writeJson('model.json', describeModel(model));
  // index → raw id of every token, so that the run's outputs can be read without the data set.
  run.writeJson('vocab.json', split.vocab.tokens);
}
async function trainInRun(
  config: ExperimentConfig,
  services: Services,
  options: RunTrainingOptions,
  { run, backend, split, model, source, resuming, proposal }: PreparedRun,
): Promise<TrainingReport> {
  const emit = runLogger(run, options.onProgress);
  emit({
    type: 'message',
    label: 'run',
    text: `backend ${backend.name}${backend.skipped.length ? ` (skipped ${backend.skipped.join('; ')})` : ''}`,
  });
  if (options.resume && !resuming) {
    emit({
      type: 'message',
      label: 'run',
      text: `${options.outDir} holds no checkpoint yet; starting from scratch`,
    });
  }
  if (split.kind === 'leave-one-out')
    for (const text of funnelLines(split.funnel)) emit({ type: 'message', label: 'data', text });
  writeRunDescription(run, config, split, model);

  const evaluator = findEvaluator(config, services);
  const evaluate = (params: Params, part: 'valid' | 'test') =>
    (evaluator as Evaluator).evaluate({
      model,
      params,
      split,
      part,
      config: config.eval,
      seed: config.seed,
      onProgress: emit,
    });
  const validation: Validation | undefined = evaluator && {
    metric: config.eval.metric,
    higherIsBetter: evaluator.higherIsBetter(config.eval.metric),
    run: async (params) => (await evaluate(params, 'valid')).metrics,
  };

  let result: TrainResult;
  const started = Date.now() / 1000;
  try {
    result = await new Trainer(
      trainerOptions(config, { run, model, source, resuming, proposal }, validation, emit, started),
    ).run();
  } finally {
    source.dispose?.();
  }
  // The whole run's training time, resumed sessions included.
  const trainSeconds = result.seconds;

  const valid = evaluator ? await evaluate(result.bestParams, 'valid') : undefined;
  const test = evaluator ? await evaluate(result.bestParams, 'test') : undefined;
  tf.dispose([...Object.values(result.params), ...Object.values(result.bestParams)]);

  const report: TrainingReport = {
    runDir: options.outDir,
    backend: backend.name,
    model: describeModel(model),
    source: {
      description: source.description,
      sequences: source.numSequences,
      events: source.numEvents,
    },
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    stoppedEarly: result.stoppedEarly,
    trainSeconds,
    valid,
    test,
  };
  run.writeJson('metrics.json', report);
  return report;
}

/**
 * The run's history as `metrics.csv` in the layout of PyTorch Lightning's CSVLogger: one row per
 * logged event (a training epoch's mean loss, a validation), the union of keys as sorted columns,
 * empty cells where a row has no value. Numbered as everywhere else in a run (the console,
 * metrics.json, TensorBoard): `epoch` from 1, `step` the optimizer steps done by the epoch's end.
 */
export function metricsCsv(history: readonly EpochRecord[], stepsPerEpoch: number): string {
  const rows: Record<string, number>[] = [];
  for (const r of history) {
    const base = { epoch: r.epoch, step: r.epoch * stepsPerEpoch };
    rows.push({ ...base, train_loss: r.loss });
    if (r.metrics) {
      const validation: Record<string, number> = { ...base };
      for (const [k, v] of Object.entries(r.metrics)) validation[`val_${k}`] = v;
      rows.push(validation);
    }
  }
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
  const cell = (v: number | undefined) => (v === undefined ? '' : String(v));
  return (
    [keys.join(','), ...rows.map((r) => keys.map((k) => cell(r[k])).join(','))].join('\n') + '\n'
  );
}

/** TensorBoard's view of the run (`tensorboard --logdir <run>/tensorboard`), rewritten each epoch. */
export const TENSORBOARD_FILE = 'tensorboard/events.out.tfevents.0.farzi';

/**
 * The history as TensorBoard scalars: `train/loss` per epoch and `valid/<metric>` per validation,
 * at the global step of the epoch's end; wall times from the run's start and the epochs' seconds.
 */
export function tensorboardEvents(
  history: readonly EpochRecord[],
  stepsPerEpoch: number,
  startTime: number,
): Uint8Array {
  const scalars: ScalarEvent[] = [];
  let wallTime = startTime;
  for (const r of history) {
    wallTime += r.seconds;
    const step = r.epoch * stepsPerEpoch;
    scalars.push({ tag: 'train/loss', value: r.loss, step, wallTime });
    for (const [k, v] of Object.entries(r.metrics ?? {}))
      scalars.push({ tag: `valid/${k}`, value: v, step, wallTime });
  }
  return encodeEventFile(scalars, startTime);
}
