import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  adam,
  AdamHyper,
  createModel,
  createOptimizer,
  DataSplit,
  Distiller,
  DistillRequest,
  DistillResult,
  disposeState,
  EvaluationResult,
  ExperimentConfig,
  findEvaluator,
  fingerprintSplit,
  loadCheckpoint,
  optimizerConfig,
  Model,
  Optimizer,
  OptimizerState,
  Params,
  ProgressListener,
  Rng,
  checkWritableDirectory,
  RunDirectory,
  RunError,
  runTraining,
  saveCheckpoint,
  sequenceBatches,
  Services,
  Trainer,
  TrainerOptions,
  UserError,
  validateConfig,
  writeJsonAtomic,
} from '@farzi/core';
import type { DistillConfig } from './distillSchema';
import { FarziData, saveFarziData } from './farziData';
import { farziSource } from './farziSource';
import { toList } from './innerLoop';
import { initializeFarzi } from './initialize';
import { fitFarzi, loadTeacher, realWindows, teacherTargets } from './teacher';
import { farziMetaGradient, RealBatch } from './metaGradient';

/** Real training sequences of a split (token chunks for text). */
function realSequences(split: DataSplit, maxLength: number): Int32Array[] {
  if (split.kind === 'leave-one-out') return split.train;
  const chunks: Int32Array[] = [];
  for (let start = 0; start + maxLength + 1 <= split.train.length; start += maxLength) {
    chunks.push(split.train.subarray(start, start + maxLength + 1));
  }
  return chunks;
}

/** A random batch of real sequences for one outer step. */
function sampleRealBatch(
  sequences: Int32Array[],
  size: number,
  maxLength: number,
  rng: Rng,
): RealBatch {
  const picked = Array.from(
    rng.permutation(sequences.length).subarray(0, Math.min(size, sequences.length)),
    (i) => sequences[i],
  );
  const batch = sequenceBatches(picked, { maxLength, batchSize: picked.length }).next().value;
  if (!batch) throw new RunError('no real sequence is long enough for an outer step.');
  return {
    inputs: tf.tensor2d(batch.inputs, [batch.batchSize, batch.length], 'int32'),
    targets: tf.tensor2d(batch.targets, [batch.batchSize, batch.length], 'int32'),
  };
}

/** A parameters-only checkpoint (a starting point for inner loops) after `epoch` epochs. */
function saveParams(file: string, params: Params, epoch: number): void {
  saveCheckpoint(file, {
    params,
    meta: {
      epoch,
      rng: [0, 0, 0, 0],
      bestMetric: null,
      bestEpoch: null,
      badEvaluations: 0,
      history: [],
    },
  });
}

function cloneParams(params: Params): Params {
  const copy: Params = {};
  for (const [n, t] of Object.entries(params)) copy[n] = tf.clone(t);
  return copy;
}

/** Trains K models on the real data and keeps checkpoints along each run (the paper's Ω). */
async function pretrainedTrajectories(
  model: Model,
  config: ExperimentConfig,
  dc: DistillConfig,
  split: DataSplit,
  services: Services,
  run: RunDirectory,
  emit: ProgressListener,
): Promise<Params[]> {
  const dir = run.file('trajectories');
  const manifest = path.join(dir, 'manifest.json');
  const existing = fs.existsSync(manifest)
    ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as string[])
    : [];
  if (existing.length > 0) {
    const files = existing;
    emit({
      type: 'message',
      label: 'farzi',
      text: `reusing ${files.length} trajectory checkpoints from ${dir}`,
    });
    return files.map((f) => loadCheckpoint(path.join(dir, f)).params);
  }
  fs.mkdirSync(dir, { recursive: true });
  const source = services.sources.get('real').create({}, { split, config });
  const kept: Params[] = [];
  const files: string[] = [];
  const keep = (k: number, epoch: number, params: Params) => {
    const file = `trajectory${k}-epoch${epoch}.safetensors`;
    saveParams(path.join(dir, file), params, epoch);
    files.push(file);
    kept.push(cloneParams(params));
  };
  const t = dc.trajectories;
  for (let k = 0; k < t.count; k++) {
    const seed = config.seed * 7919 + k + 1;
    if (t.includeInitial) {
      const init = model.init(seed);
      keep(k, 0, init);
      tf.dispose(Object.values(init));
    }
    const result = await new Trainer({
      model,
      source,
      optimizer: createOptimizer(config.train.optimizer, t.learningRate),
      epochs: t.epochs,
      batchSize: t.batchSize,
      seed,
      label: `trajectory ${k + 1}/${t.count}`,
      onProgress: emit,
      onEpochEnd: (epoch, params) => {
        if (epoch % t.every === 0) keep(k, epoch, params);
      },
    }).run();
    tf.dispose(Object.values(result.params));
  }
  source.dispose?.();
  if (kept.length === 0) {
    throw new UserError(
      `distill.trajectories: no checkpoint was kept (epochs ${t.epochs}, every ${t.every}${t.includeInitial ? '' : ', includeInitial false'}); ` +
        'set trajectories.every to at most trajectories.epochs, or distill.innerInit to "random".',
    );
  }
  fs.writeFileSync(manifest, JSON.stringify(files));
  return kept;
}

/**
 * The teacher of `init: "teacher"`: the configured checkpoint, or a model trained here on the real
 * data with the config's train section (a run directory `<run>/teacher`, resumed if interrupted and
 * reused once finished).
 */
async function teacherParams(
  model: Model,
  request: DistillRequest,
  run: RunDirectory,
  emit: ProgressListener,
): Promise<Params> {
  const { config, split, services } = request;
  const dc = config.distill as DistillConfig;
  const fingerprint = fingerprintSplit(split);
  if (dc.teacher.checkpoint) {
    emit({ type: 'message', label: 'farzi', text: `teacher: ${dc.teacher.checkpoint}` });
    return loadTeacher(dc.teacher.checkpoint, model, fingerprint);
  }
  const dir = run.file('teacher');
  if (!fs.existsSync(path.join(dir, 'metrics.json'))) {
    emit({
      type: 'message',
      label: 'farzi',
      text: `training the teacher on the real data (train section: ${config.train.epochs} epochs, lr ${config.train.learningRate}) in ${dir}`,
    });
    const resume = fs.existsSync(path.join(dir, 'checkpoints', 'last.safetensors'));
    // Killed before the teacher's first epoch ended: nothing to keep.
    if (!resume) fs.rmSync(dir, { recursive: true, force: true });
    await runTraining(
      { ...config, train: { ...config.train, source: { name: 'real' } } },
      services,
      {
        outDir: dir,
        resume,
        onProgress: emit,
        split,
        backend: request.backend,
      },
    );
  }
  return loadTeacher(dir, model, fingerprint);
}

/** `init: "teacher"`: F and M fitted to real windows mixed with the teacher's predictions. */
async function teacherInitialization(
  model: Model,
  request: DistillRequest,
  sequences: Int32Array[],
  run: RunDirectory,
  emit: ProgressListener,
): Promise<{ latent: tf.Tensor; decoder: tf.Tensor }> {
  const dc = request.config.distill as DistillConfig;
  const [mu, xi] = dc.size;
  const teacher = await teacherParams(model, request, run, emit);
  const ids = realWindows(sequences, mu, xi, new Rng(request.config.seed));
  const targets = teacherTargets(
    model,
    teacher,
    ids,
    [mu, xi],
    dc.teacher.mix,
    dc.teacher.temperature,
  );
  tf.dispose(Object.values(teacher));
  try {
    const fit = fitFarzi(targets, dc.latentDim, dc.temperature, {
      steps: dc.teacher.fitSteps,
      learningRate: dc.teacher.fitLearningRate,
      initStd: dc.initStd,
      seed: request.config.seed,
    });
    emit({
      type: 'message',
      label: 'farzi',
      text: `teacher sequences fitted into F·M (d ${dc.latentDim}): cross-entropy ${fit.loss.toFixed(4)} vs target entropy ${fit.targetEntropy.toFixed(4)} (KL ${(fit.loss - fit.targetEntropy).toFixed(4)} nats/position)`,
    });
    return { latent: fit.latent, decoder: fit.decoder };
  } finally {
    targets.dispose();
  }
}

/**
 * innerInit "student": the parameters every `studentTrajectory.every` epochs of a student trained on
 * the Farzi Data as it was after outer step `step`, saved under `dir` (atomically, manifest last).
 */
class StudentPool {
  params: Params[] = [];
  step = -1;
  constructor(
    private readonly dir: string,
    private readonly dc: DistillConfig,
  ) {}

  private get manifest(): string {
    return path.join(this.dir, 'manifest.json');
  }

  load(): void {
    if (!fs.existsSync(this.manifest)) return;
    const m = JSON.parse(fs.readFileSync(this.manifest, 'utf8')) as {
      step: number;
      files: string[];
    };
    this.replace(
      m.step,
      m.files.map((f) => loadCheckpoint(path.join(this.dir, f)).params),
    );
  }

  /** Keeps the student's parameters every `every` epochs; `finish` makes them the pool. */
  collector(step: number): {
    onEpochEnd: (epoch: number, params: Params) => void;
    finish: () => void;
  } {
    const kept: { epoch: number; params: Params }[] = [];
    return {
      onEpochEnd: (epoch, params) => {
        if (epoch % this.dc.studentTrajectory.every !== 0) return;
        kept.push({ epoch, params: cloneParams(params) });
      },
      finish: () => {
        fs.mkdirSync(this.dir, { recursive: true });
        const files = kept.map(({ epoch, params }) => {
          const file = `step${step}-epoch${epoch}.safetensors`;
          saveParams(path.join(this.dir, file), params, epoch);
          return file;
        });
        const previous = fs.existsSync(this.manifest)
          ? (JSON.parse(fs.readFileSync(this.manifest, 'utf8')) as { files: string[] }).files
          : [];
        writeJsonAtomic(this.manifest, { step, files });
        for (const f of previous) {
          if (!files.includes(f)) fs.rmSync(path.join(this.dir, f), { force: true });
        }
        this.replace(
          step,
          kept.map((k) => k.params),
        );
      },
    };
  }

  describe(): string {
    return `inner loops now start from ${this.params.length} checkpoints of a student trained on the data of outer step ${this.step}`;
  }

  private replace(step: number, params: Params[]): void {
    this.dispose();
    this.params = params;
    this.step = step;
  }

  dispose(): void {
    for (const p of this.params) tf.dispose(Object.values(p));
    this.params = [];
  }
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** Trains a fresh model on Farzi Data and validates it (the distillation's quality signal). */
/**
 * How a student is trained on Farzi Data: exactly as the inner loop ("inner"), or with the
 * configured epochs, learning rate and batch size, train.optimizer and dropout ("custom").
 */
export function studentRecipe(
  config: ExperimentConfig,
  dc: DistillConfig,
  schedule?: readonly number[],
): Pick<TrainerOptions, 'optimizer' | 'epochs' | 'batchSize' | 'dropout'> {
  if (dc.student.recipe === 'inner') {
    const innerConfig = optimizerConfig({ name: 'adam', clipNorm: 0, ...dc.innerOptimizer });
    const fixed = createOptimizer(innerConfig, dc.innerLearningRate);
    // A learned schedule: step t uses α_t (the last one beyond T), as the inner loop did.
    const optimizer: Optimizer = schedule?.length
      ? {
          ...fixed,
          step: (params, grads, state) =>
            createOptimizer(innerConfig, schedule[Math.min(state.step, schedule.length - 1)]).step(
              params,
              grads,
              state,
            ),
        }
      : fixed;
    return {
      optimizer,
      epochs: dc.innerSteps,
      batchSize: dc.size[0],
      dropout: false,
    };
  }
  return {
    optimizer: createOptimizer(config.train.optimizer, dc.student.learningRate),
    epochs: dc.student.epochs,
    batchSize: dc.student.batchSize || dc.size[0],
    dropout: true,
  };
}

/**
 * Trains a fresh student on Farzi Data with the configured student recipe and returns its final
 * parameters; `onEpochEnd` sees the parameters after every epoch (do not dispose them).
 */
export async function trainStudent(
  model: Model,
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature'>,
  config: ExperimentConfig,
  dc: DistillConfig,
  schedule?: readonly number[],
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<Params> {
  const source = farziSource(
    { ...data, vocabulary: [], sourceFingerprint: '', info: {} },
    config.data.maxLength,
  );
  try {
    const result = await new Trainer({
      model,
      source,
      seed: config.seed,
      ...studentRecipe(config, dc, schedule),
      onEpochEnd,
    }).run();
    return result.params;
  } finally {
    source.dispose?.();
  }
}

export async function evaluateFarzi(
  model: Model,
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature'>,
  config: ExperimentConfig,
  dc: DistillConfig,
  split: DataSplit,
  services: Services,
  part: 'valid' | 'test' = 'valid',
  schedule?: readonly number[],
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<EvaluationResult | undefined> {
  const evaluator = findEvaluator(config, services);
  if (!evaluator) return undefined;
  const params = await trainStudent(model, data, config, dc, schedule, onEpochEnd);
  try {
    return await evaluator.evaluate({
      model,
      params,
      split,
      part,
      config: config.eval,
      seed: config.seed,
    });
  } finally {
    tf.dispose(Object.values(params));
  }
}

/**
 * Farzi: distils the configured data into Farzi Data [μ×ξ] by bi-level optimisation — inner Adam
 * on the synthetic sequences from pretrained checkpoints, outer Adam on (F, M) with reverse-mode
 * meta-gradients, periodic validation of a fresh student, best-so-far kept, resumable.
 */
export const farziDistiller: Distiller = {
  name: 'farzi',
  description: 'Farzi: autoregressive data distillation with reverse-mode Adam meta-gradients',
  async distill(request: DistillRequest): Promise<DistillResult> {
    checkWritableDirectory(request.outDir, '--out');
    const run = new RunDirectory(request.outDir);
    try {
      return await distillInto(request, run);
    } finally {
      run.close();
    }
  },
};

async function distillInto(request: DistillRequest, run: RunDirectory): Promise<DistillResult> {
  const { config, split, services } = request;
  const dc = config.distill as DistillConfig;
  const [mu, xi] = dc.size;
  const L = config.data.maxLength;
  if (xi - 1 > L) {
    throw new UserError(
      `distill.size: ξ = ${xi} positions need data.maxLength ≥ ${xi - 1} (it is ${L}).`,
    );
  }
  const studentEpochs = studentRecipe(config, dc).epochs;
  if (dc.innerInit === 'student' && dc.studentTrajectory.every > studentEpochs) {
    throw new UserError(
      `distill.studentTrajectory.every: ${dc.studentTrajectory.every} epochs is more than the student trains (${studentEpochs}); ` +
        'no checkpoint would be kept. Lower it or train the student longer (distill.student).',
    );
  }
  const emit: ProgressListener = (event) => {
    if (event.type !== 'step') run.appendLog(event);
    request.onProgress?.(event);
  };
  const stateFile = run.file('distill-state.safetensors');
  run.prepare(
    config,
    request.resume,
    (c) => {
      delete (c.distill as Record<string, unknown>).outerSteps;
    },
    // Before the first outer step is saved, the config alone makes a run resumable: a run killed
    // while training its trajectories or teacher continues them.
    fs.existsSync(stateFile) ? stateFile : run.file('config.json'),
    (saved) => validateConfig(saved, services, run.file('config.json')),
  );
  const model = createModel(config, split, services);
  const sequences = realSequences(split, L);
  const realEvents = sequences.reduce((n, s) => n + s.length, 0);
  const budget = {
    sequences: mu,
    length: xi,
    events: mu * xi,
    percentOfTraining: (100 * mu * xi) / realEvents,
    realTrainingEvents: realEvents,
  };
  run.writeJson('data.json', {
    format: config.data.format,
    path: config.data.path,
    fingerprint: fingerprintSplit(split),
    budget,
  });
  emit({
    type: 'message',
    label: 'farzi',
    text: `budget [${mu}×${xi}] = ${mu * xi} events, ${budget.percentOfTraining.toFixed(2)}% of ${realEvents} real training events`,
  });

  const trajectories =
    dc.innerInit === 'trajectories'
      ? await pretrainedTrajectories(model, config, dc, split, services, run, emit)
      : [];
  const hyper: AdamHyper = { learningRate: dc.innerLearningRate, ...dc.innerOptimizer };
  const outer = adam(
    { ...config.train.optimizer, name: 'adam', weightDecay: 0, clipNorm: 0, epsRoot: 0 },
    dc.outerLearningRate,
  );

  let latent: tf.Tensor;
  let decoder: tf.Tensor;
  // log α_t per inner step when the schedule is learned (distill.learnInnerLearningRate).
  let logLr: tf.Tensor | undefined;
  let opt: OptimizerState;
  let startStep = 0;
  let rng: Rng;
  let bestMetric: number | null = null;
  let bestStep: number | null = null;
  const history: Record<string, unknown>[] = [];
  if (request.resume && fs.existsSync(stateFile)) {
    const saved = loadCheckpoint(stateFile);
    ({ latent, decoder, logLr } = saved.params);
    opt = saved.optimizer as OptimizerState;
    startStep = saved.meta.epoch;
    rng = new Rng(saved.meta.rng);
    bestMetric = saved.meta.bestMetric;
    bestStep = saved.meta.bestEpoch;
    history.push(...(saved.meta.history as Record<string, unknown>[]));
    emit({ type: 'message', label: 'farzi', text: `resuming after outer step ${startStep}` });
  } else {
    ({ latent, decoder } =
      dc.init === 'teacher'
        ? await teacherInitialization(model, request, sequences, run, emit)
        : initializeFarzi(dc, split.vocab.size, sequences, config.seed));
    if (dc.learnInnerLearningRate) {
      logLr = tf.fill([dc.innerSteps], Math.log(dc.innerLearningRate));
    }
    opt = outer.init({ latent, decoder, ...(logLr ? { logLr } : {}) });
    rng = new Rng(config.seed ^ 0xfa121);
  }

  const evaluator = findEvaluator(config, services);
  const metricName = config.eval.metric;
  const higherIsBetter = evaluator?.higherIsBetter(metricName) ?? true;
  const farziFile = run.file('farzi-data.safetensors');
  const info = () => ({
    budget,
    distill: dc,
    model: config.model,
    bestStep,
    bestMetric,
    metric: metricName,
  });
  const schedule = (): number[] | undefined =>
    logLr ? Array.from(tf.tidy(() => tf.exp(logLr as tf.Tensor)).dataSync()) : undefined;
  const current = (): FarziData => ({
    latent: latent as tf.Tensor3D,
    decoder: decoder as tf.Tensor2D,
    temperature: dc.temperature,
    vocabulary: split.vocab.tokens,
    sourceFingerprint: fingerprintSplit(split),
    info: { ...info(), ...(logLr ? { innerLearningRates: schedule() } : {}) },
  });
  // innerInit "student": checkpoints along a student trained on the data after outer step
  // `pool.step`, kept in <run>/student-pool so that a resumed run starts from the same ones.
  const pool = new StudentPool(run.file('student-pool'), dc);
  if (dc.innerInit === 'student' && request.resume) pool.load();
  const poolDue = (step: number) =>
    dc.innerInit === 'student' &&
    step < dc.outerSteps &&
    step % dc.studentTrajectory.refreshEvery === 0 &&
    pool.step !== step;
  const validate = async (step: number) => {
    // The validation student is trained exactly as the pool's student: one training serves both.
    const collect = evaluator && poolDue(step) ? pool.collector(step) : undefined;
    const result = await evaluateFarzi(
      model,
      current(),
      config,
      dc,
      split,
      services,
      'valid',
      schedule(),
      collect?.onEpochEnd,
    );
    if (collect) {
      collect.finish();
      emit({ type: 'message', label: 'farzi', text: pool.describe() });
    }
    if (!result) return;
    const value = result.metrics[metricName];
    const better =
      bestMetric === null || (higherIsBetter ? value > bestMetric : value < bestMetric);
    if (better) {
      bestMetric = value;
      bestStep = step;
      saveFarziData(farziFile, current());
    }
    history.push({ step, valid: result.metrics });
    emit({
      type: 'message',
      label: 'farzi',
      text: `step ${step}: student valid ${metricName} ${value.toFixed(4)}${better ? ' (best)' : ''}`,
    });
  };
  if (startStep === 0 && dc.evalEvery > 0) await validate(0);

  const started = Date.now();
  const phase = { forward: 0, real: 0, reverse: 0, steps: 0 };
  const names = toList(model.init(0)).names;
  for (let step = startStep + 1; step <= dc.outerSteps; step++) {
    if (poolDue(step - 1)) {
      const collect = pool.collector(step - 1);
      const params = await trainStudent(
        model,
        current(),
        config,
        dc,
        schedule(),
        collect.onEpochEnd,
      );
      tf.dispose(Object.values(params));
      collect.finish();
      emit({ type: 'message', label: 'farzi', text: pool.describe() });
    }
    const starts = dc.innerInit === 'student' ? pool.params : trajectories;
    let w0: tf.Tensor[];
    if (starts.length > 0) {
      const chosen = starts[rng.int(starts.length)];
      w0 = names.map((n) => chosen[n]);
    } else {
      const init = model.init(rng.seed());
      w0 = names.map((n) => init[n]);
    }
    const real = sampleRealBatch(sequences, dc.realBatchSize, L, rng);
    const meta = farziMetaGradient(
      model,
      names,
      w0,
      { latent, decoder, temperature: dc.temperature },
      real,
      {
        steps: dc.innerSteps,
        hyper,
        learningRates: schedule(),
        method: dc.metaGradient,
        checkpointEvery: dc.reverseCheckpointEvery,
      },
    );
    if (starts.length === 0) tf.dispose(w0);
    tf.dispose([real.inputs, real.targets]);
    const finite = tf.tidy(
      () =>
        tf
          .logicalAnd(
            tf.logicalAnd(tf.all(tf.isFinite(meta.latent)), tf.all(tf.isFinite(meta.decoder))),
            meta.learningRates ? tf.all(tf.isFinite(meta.learningRates)) : tf.scalar(true),
          )
          .dataSync()[0],
    );
    if (!Number.isFinite(meta.loss) || !finite) {
      tf.dispose([meta.latent, meta.decoder, latent, decoder]);
      if (meta.learningRates) meta.learningRates.dispose();
      if (logLr) logLr.dispose();
      disposeState(opt);
      throw new RunError(
        `distillation stopped: the outer loss or meta-gradient became non-finite at outer step ${step}; ` +
          `the last saved state (${stateFile}) is intact. Lower distill.innerLearningRate or distill.outerLearningRate.`,
      );
    }
    const next = tf.tidy(() => {
      const params: Params = { latent, decoder };
      const grads: Params = { latent: meta.latent, decoder: meta.decoder };
      if (logLr && meta.learningRates) {
        params.logLr = logLr;
        // d/d log α = α · d/dα
        grads.logLr = tf.mul(meta.learningRates, tf.exp(logLr));
      }
      const r = outer.step(params, grads, opt);
      return {
        latent: r.params.latent,
        decoder: r.params.decoder,
        logLr: r.params.logLr,
        slots: r.state.slots as unknown as tf.TensorContainer,
      };
    });
    tf.dispose([meta.latent, meta.decoder, latent, decoder]);
    if (meta.learningRates) meta.learningRates.dispose();
    if (logLr) logLr.dispose();
    disposeState(opt);
    latent = next.latent as tf.Tensor;
    decoder = next.decoder as tf.Tensor;
    logLr = next.logLr as tf.Tensor | undefined;
    opt = { step: opt.step + 1, slots: next.slots as unknown as OptimizerState['slots'] };
    phase.forward += meta.seconds.forward;
    phase.real += meta.seconds.real;
    phase.reverse += meta.seconds.reverse;
    phase.steps++;
    const record = { step, outerLoss: meta.loss, drift: meta.drift, seconds: meta.seconds };
    history.push(record);
    const elapsed = (Date.now() - started) / 1000;
    emit({
      type: 'outer',
      label: 'farzi',
      step,
      totalSteps: dc.outerSteps,
      loss: meta.loss,
      etaSeconds: (elapsed / (step - startStep)) * (dc.outerSteps - step),
      details: {
        drift: meta.drift,
        'inner s': meta.seconds.forward,
        'reverse s': meta.seconds.reverse,
        ...(logLr ? { 'mean inner lr': mean(schedule() as number[]) } : {}),
      },
    });
    if ((dc.evalEvery > 0 && step % dc.evalEvery === 0) || step === dc.outerSteps)
      await validate(step);
    if (step % dc.checkpointEvery === 0 || step === dc.outerSteps) {
      saveCheckpoint(stateFile, {
        params: { latent, decoder, ...(logLr ? { logLr } : {}) },
        optimizer: opt,
        meta: {
          epoch: step,
          rng: rng.getState(),
          bestMetric,
          bestEpoch: bestStep,
          badEvaluations: 0,
          history,
        },
      });
    }
  }
  saveFarziData(run.file('farzi-data-last.safetensors'), current());
  if (!fs.existsSync(farziFile)) saveFarziData(farziFile, current());
  tf.dispose([latent, decoder]);
  if (logLr) logLr.dispose();
  disposeState(opt);
  for (const t of trajectories) tf.dispose(Object.values(t));
  pool.dispose();
  const seconds = (Date.now() - started) / 1000;
  const perStep = phase.steps
    ? {
        forward: phase.forward / phase.steps,
        real: phase.real / phase.steps,
        reverse: phase.reverse / phase.steps,
      }
    : undefined;
  const summary = {
    budget,
    bestStep,
    bestMetric,
    metric: metricName,
    outerSteps: dc.outerSteps,
    seconds,
    secondsPerOuterStep: perStep,
  };
  run.writeJson('summary.json', { ...summary, history });
  return { dataFile: farziFile, summary };
}
