import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import {
  checkWritableDirectory,
  Distiller,
  DistillRequest,
  DistillResult,
  DistillSummary,
  Model,
  Params,
  Rng,
  RunDirectory,
  runUnits,
  UserError,
} from '@farzi/core';
import { distillSchema, farziSettings } from './distillSchema';
import { saveFarziData } from './farziData';
import { farziSourceFactory } from './farziSourceFactory';
import { FarziContext, farziContext, FarziRun } from './farziRun';
import {
  distillBudget,
  distillLogger,
  finishDistillation,
  prepareDistillRun,
  pretrainedTrajectories,
  realSequences,
  StudentPool,
  writeDistillData,
} from '@farzi/distill-kit';
import { studentRecipe } from './student';
import { validator } from './farziValidator';
import { architectureOf, InnerArchitecture, innerArchitectures, refreshPool } from './innerModels';

/**
 * Farzi: distils the configured data into Farzi Data [μ×ξ] by bi-level optimisation — inner Adam
 * on the synthetic sequences from pretrained checkpoints, outer Adam on (F, M) with reverse-mode
 * meta-gradients, periodic validation of a fresh student, best-so-far kept, resumable.
 */
export const farziDistiller: Distiller = {
  name: 'farzi',
  description: 'Farzi: autoregressive data distillation with reverse-mode Adam meta-gradients',
  schema: distillSchema,
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

/** Settings that cannot work together, found before any work. */
function checkSettings(request: DistillRequest): void {
  const { config } = request;
  const dc = farziSettings(config);
  const xi = dc.size[1];
  const L = config.data.maxLength;
  if (xi - 1 > L) {
    throw new UserError(
      `distill.size: ξ = ${xi} positions need data.maxLength ≥ ${xi - 1} (it is ${L}).`,
    );
  }
  // Each inner architecture is a model section of its own (checked before anything is trained).
  dc.innerModels.forEach((model, i) =>
    request.tools.validateConfig(
      { ...config, model } as unknown as Record<string, unknown>,
      `distill.innerModels[${i}]`,
    ),
  );
  const items = request.split.vocab.size - 1;
  if (dc.support >= items) {
    throw new UserError(
      `distill.support: ${dc.support} items is every item of the catalogue (${items}); use a smaller support, or 0 for every item.`,
    );
  }
  const hasHidden = Boolean(request.tools.createModel(config, request.split).hiddenStates);
  if (dc.outerTeacher.featureWeight > 0 && !hasHidden) {
    throw new UserError(
      `distill.outerTeacher.featureWeight: feature alignment needs hidden states, and the ${config.model.name} model exposes none; set it to 0 or use a model that does (SASRec, GRU4Rec).`,
    );
  }
  const studentEpochs = studentRecipe(config, dc).epochs;
  if (dc.innerInit === 'student' && dc.studentTrajectory.every > studentEpochs) {
    throw new UserError(
      `distill.studentTrajectory.every: ${dc.studentTrajectory.every} epochs is more than the student trains (${studentEpochs}); ` +
        'no checkpoint would be kept. Lower it or train the student longer (distill.student).',
    );
  }
}

/** What a distillation computes before its first state file: kept, and resumed, once it exists. */
const DERIVED = ['trajectories', 'teacher', 'teacher.safetensors', 'student-pool'];

/** Prepares the run directory (resumable from the distillation state, or the config before it). */
/** The initial (step-0) Farzi Data of a fresh run, saved before the first outer step. */
export const STEP0_FILE = 'farzi-data-step0.safetensors';

/** Farzi's own figures in a distillation's summary: mean seconds per outer step by phase. */
export interface FarziDetails {
  readonly secondsPerOuterStep?: {
    readonly forward: number;
    readonly real: number;
    readonly reverse: number;
  };
}

async function distillInto(request: DistillRequest, run: RunDirectory): Promise<DistillResult> {
  checkSettings(request);
  const { config, split, tools } = request;
  const emit = distillLogger(request, run);
  const stateFile = run.file('distill-state.safetensors');
  prepareDistillRun(request, run, stateFile, DERIVED);
  const model = tools.createModel(config, split);
  const ctx = farziContext(request, model, run, emit, realSequences(split, config.data.maxLength));
  const dc = ctx.settings;
  const budget = distillBudget(dc.size, ctx.sequences);
  writeDistillData(run, request, budget);
  emit({
    type: 'message',
    label: 'farzi',
    text: `budget [${budget.sequences}×${budget.length}] = ${budget.events} events, ${budget.percentOfTraining.toFixed(2)}% of ${budget.realTrainingEvents} real training events`,
  });
  const trajectories =
    dc.innerInit === 'trajectories'
      ? await pretrainedTrajectories(model, config, dc.trajectories, split, tools, run, emit)
      : [];
  const initStarted = Date.now();
  const farzi = await FarziRun.start(ctx, stateFile, request.resume);
  const initSeconds = farzi.startStep === 0 ? (Date.now() - initStarted) / 1000 : undefined;
  const pool = new StudentPool(run.file('student-pool'), dc.studentTrajectory.every);
  try {
    return await outerLoop(ctx, farzi, trajectories, pool, stateFile, budget, initSeconds);
  } finally {
    farzi.dispose();
    for (const t of trajectories) tf.dispose(Object.values(t));
    pool.dispose();
  }
}

/** Where an inner loop starts: a random kept checkpoint, or a fresh initialisation. */
function innerStart(starts: Params[], names: string[], model: Model, rng: Rng): tf.Tensor[] {
  if (starts.length > 0) {
    const chosen = starts[rng.int(starts.length)];
    return names.map((n) => chosen[n]);
  }
  const init = model.init(rng.seed());
  return names.map((n) => init[n]);
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/** One outer step as a unit of the shared loop: refresh the student pool when due, step, report. */
function outerUnit(
  ctx: FarziContext,
  farzi: FarziRun,
  trajectories: Params[],
  pool: StudentPool,
  v: ReturnType<typeof validator>,
  stateFile: string,
  phase: { forward: number; real: number; reverse: number; steps: number },
  archs: readonly InnerArchitecture[],
) {
  const { settings: dc, emit } = ctx;
  const rng = farzi.rng;
  return async (step: number, eta: () => number): Promise<void> => {
    if (v.poolDue(step - 1)) await v.refreshPool(step - 1);
    const arch = architectureOf(archs, step);
    if (dc.innerInit === 'student' && !arch.primary && arch.pool.step !== pool.step)
      await refreshPool(ctx, farzi, arch, pool.step);
    const starts = dc.innerInit === 'student' ? arch.pool.params : arch.primary ? trajectories : [];
    const w0 = innerStart(starts, arch.names, arch.model, rng);
    let meta;
    try {
      meta = farzi.outerStep(step, arch, w0, stateFile);
    } finally {
      if (starts.length === 0) tf.dispose(w0);
    }
    phase.forward += meta.seconds.forward;
    phase.real += meta.seconds.real;
    phase.reverse += meta.seconds.reverse;
    phase.steps++;
    farzi.history.push({
      step,
      outerLoss: meta.loss,
      drift: meta.drift,
      seconds: meta.seconds,
      ...(archs.length > 1 ? { model: arch.config.model.name } : {}),
      ...(farzi.diagnosis ?? {}),
    });
    const schedule = farzi.schedule();
    emit({
      type: 'outer',
      label: 'farzi',
      step,
      totalSteps: dc.outerSteps,
      loss: meta.loss,
      etaSeconds: eta(),
      details: {
        drift: meta.drift,
        'inner s': meta.seconds.forward,
        'reverse s': meta.seconds.reverse,
        ...(schedule ? { 'mean inner lr': mean(schedule) } : {}),
      },
    });
  };
}

async function outerLoop(
  ctx: FarziContext,
  farzi: FarziRun,
  trajectories: Params[],
  pool: StudentPool,
  stateFile: string,
  budget: DistillSummary['budget'],
  initSeconds: number | undefined,
): Promise<DistillResult> {
  const dc = ctx.settings;
  const archs = innerArchitectures(ctx, pool);
  if (dc.innerInit === 'student' && ctx.request.resume) for (const a of archs) a.pool.load();
  try {
    return await outerLoopWith(
      ctx,
      farzi,
      trajectories,
      pool,
      stateFile,
      budget,
      initSeconds,
      archs,
    );
  } finally {
    for (const a of archs) if (!a.primary) a.pool.dispose();
  }
}

async function outerLoopWith(
  ctx: FarziContext,
  farzi: FarziRun,
  trajectories: Params[],
  pool: StudentPool,
  stateFile: string,
  budget: DistillSummary['budget'],
  initSeconds: number | undefined,
  archs: readonly InnerArchitecture[],
): Promise<DistillResult> {
  const { settings: dc, run } = ctx;
  const v = validator(ctx, farzi, pool, budget);
  // The data before any outer step, kept next to the optimised data (what the outer loop adds).
  if (farzi.startStep === 0) saveFarziData(run.file(STEP0_FILE), farzi.current(v.info()));
  const started = Date.now();
  const phase = { forward: 0, real: 0, reverse: 0, steps: 0 };
  const unit = outerUnit(ctx, farzi, trajectories, pool, v, stateFile, phase, archs);
  // The loop training uses too: validate at step 0, every evalEvery steps and at the end, keep the
  // best data, checkpoint every checkpointEvery steps and at the end, resume after the saved step.
  await runUnits({
    total: dc.outerSteps,
    done: farzi.startStep,
    evalEvery: dc.evalEvery,
    validateFirst: dc.evalEvery > 0,
    validateLast: true,
    higherIsBetter: v.higherIsBetter,
    best: farzi.best,
    unit,
    validate: v.validate,
    validated: v.validated,
    after: (step) => {
      if (step % dc.checkpointEvery === 0 || step === dc.outerSteps)
        farzi.checkpoint(stateFile, step, (Date.now() - started) / 1000);
    },
  });
  saveFarziData(run.file('farzi-data-last.safetensors'), farzi.current(v.info()));
  if (!fs.existsSync(v.farziFile)) saveFarziData(v.farziFile, farzi.current(v.info()));
  // Over every session of a resumed run (the work after its last checkpoint, redone, counts once).
  const seconds = farzi.priorSeconds + (Date.now() - started) / 1000;
  const summary: DistillSummary<FarziDetails> = {
    method: farziDistiller.name,
    budget,
    bestStep: farzi.bestStep,
    bestMetric: farzi.bestMetric,
    metric: v.metricName,
    steps: dc.outerSteps,
    seconds,
    ...(initSeconds !== undefined ? { initSeconds } : {}),
    details: phase.steps
      ? {
          secondsPerOuterStep: {
            forward: phase.forward / phase.steps,
            real: phase.real / phase.steps,
            reverse: phase.reverse / phase.steps,
          },
        }
      : {},
  };
  return finishDistillation(
    run,
    summary,
    v.farziFile,
    farziSourceFactory.name,
    STEP0_FILE,
    farzi.history,
  );
}
