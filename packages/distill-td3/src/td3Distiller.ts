import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import {
  Distiller,
  DistillRequest,
  DistillResult,
  DistillSummary,
  RunDirectory,
  runUnits,
  UserError,
} from '@farzi/core';
import {
  backoffReport,
  distillBudget,
  distillLogger,
  evaluateStudent,
  finishDistillation,
  prepareDistillRun,
  realSequences,
  relativeFall,
  StudentPool,
  StudentRecipe,
  studentRecipeOf,
  trainStudent,
  writeDistillData,
} from '@farzi/distill-kit';
import { saveTd3Data, td3Source, td3SourceFactory } from './td3Data';
import { Td3Context, Td3Run } from './td3Run';
import { td3Schema, td3Settings } from './td3Schema';

/** TD3's own figures in a distillation's summary. */
export interface Td3Details {
  readonly secondsPerOuterStep?: { forward: number; real: number; reverse: number };
  /** Mean inner steps run per outer step (RaT-BPTT draws them in [T, horizon]). */
  readonly meanInnerSteps?: number;
}

const DATA_FILE = 'td3-data.safetensors';
const STEP0_FILE = 'td3-data-step0.safetensors';

/**
 * TD3 (Tucker-decomposition dataset distillation for sequential recommendation): the synthetic
 * sequences are a Tucker factorisation decoded to soft sequences; each outer step trains a fresh
 * student on a random window of them for a random number of inner steps and differentiates the
 * last T by the kit's reverse-mode Adam against the real-data loss plus feature alignment with a
 * teacher. The choices made where the paper leaves room are in this package's README.
 */
export const td3Distiller: Distiller = {
  name: 'td3',
  description:
    'TD3: a Tucker factorisation of soft synthetic sequences, feature alignment with a teacher, truncated back-propagation over random windows of the inner trajectory',
  schema: td3Schema,
  async distill(request: DistillRequest): Promise<DistillResult<Td3Details>> {
    checkSettings(request);
    const run = new RunDirectory(request.outDir);
    try {
      return await distillInto(request, run);
    } finally {
      run.close();
    }
  },
};

function checkSettings(request: DistillRequest): void {
  const { config, split, tools } = request;
  const s = td3Settings(config);
  if (s.size[1] - 1 > config.data.maxLength) {
    throw new UserError(
      `distill.size: ξ = ${s.size[1]} positions need data.maxLength ≥ ${s.size[1] - 1}.`,
    );
  }
  if (s.crop === 1 || s.crop > s.size[1]) {
    throw new UserError(
      `distill.crop: ${s.crop} positions; expected 0 (all) or 2..${s.size[1]} (ξ).`,
    );
  }
  if (s.horizon > 0 && s.horizon < s.innerSteps) {
    throw new UserError(
      `distill.horizon: ${s.horizon} is less than distill.innerSteps (${s.innerSteps}); expected 0 or ≥ it.`,
    );
  }
  const model = tools.createModel(config, split);
  if (s.outerTeacher.featureWeight > 0 && !model.hiddenStates) {
    throw new UserError(
      `distill.outerTeacher.featureWeight: feature alignment needs hidden states, and the ${config.model.name} model exposes none; set it to 0.`,
    );
  }
}

async function distillInto(
  request: DistillRequest,
  run: RunDirectory,
): Promise<DistillResult<Td3Details>> {
  const { config, split, tools } = request;
  const emit = distillLogger(request, run);
  const stateFile = run.file('distill-state.safetensors');
  prepareDistillRun(request, run, stateFile, ['teacher']);
  const model = tools.createModel(config, split);
  const settings = td3Settings(config);
  const sequences = realSequences(split, config.data.maxLength);
  const ctx: Td3Context = { request, config, settings, model, run, sequences, emit };
  const budget = distillBudget(settings.size, sequences);
  writeDistillData(run, request, budget);
  const initStarted = Date.now();
  const td3 = await Td3Run.start(ctx, stateFile, request.resume);
  const initSeconds = td3.startStep === 0 ? (Date.now() - initStarted) / 1000 : undefined;
  // innerInit "student": the kit's pool, kept in <run>/student-pool so that a resumed run starts
  // its inner loops from the same checkpoints.
  const pool = new StudentPool(run.file('student-pool'), settings.studentTrajectory.every);
  if (settings.innerInit === 'student' && request.resume) pool.load();
  try {
    return await outerLoop(ctx, td3, pool, stateFile, budget, initSeconds);
  } finally {
    td3.dispose();
    pool.dispose();
  }
}

function recipe(ctx: Td3Context): StudentRecipe {
  return studentRecipeOf(ctx.config, ctx.settings.student, ctx.settings.size[0]);
}

async function outerLoop(
  ctx: Td3Context,
  td3: Td3Run,
  pool: StudentPool,
  stateFile: string,
  budget: DistillSummary['budget'],
  initSeconds: number | undefined,
): Promise<DistillResult<Td3Details>> {
  const { settings: s, run, config, request, model, emit } = ctx;
  const evaluator = request.tools.evaluator(config);
  const dataFile = path.resolve(run.file(DATA_FILE));
  if (td3.startStep === 0) saveTd3Data(run.file(STEP0_FILE), td3.current());
  const started = Date.now();
  const phase = { forward: 0, real: 0, reverse: 0, steps: 0, inner: 0 };
  // innerInit "student": a student of the current data is trained (by the validation, or on its
  // own) every refreshEvery outer steps, and its checkpoints become the inner loops' starts.
  const poolDue = (step: number) =>
    s.innerInit === 'student' &&
    step < s.outerSteps &&
    step % s.studentTrajectory.refreshEvery === 0 &&
    pool.step !== step;
  const poolFinished = (collect: ReturnType<StudentPool['collector']>) => {
    collect.finish();
    emit({ type: 'message', label: 'td3', text: pool.describe() });
  };
  const higherIsBetter = evaluator ? evaluator.higherIsBetter(config.eval.metric) : true;
  await runUnits({
    total: s.outerSteps,
    done: td3.startStep,
    evalEvery: s.evalEvery,
    validateFirst: s.evalEvery > 0,
    validateLast: true,
    higherIsBetter,
    best: td3.best,
    unit: async (step, eta) => {
      if (poolDue(step - 1)) {
        const collect = pool.collector(step - 1);
        const source = td3Source(td3.current(), config.data.maxLength);
        try {
          const params = await trainStudent(
            model,
            source,
            config.seed,
            recipe(ctx),
            collect.onEpochEnd,
          );
          tf.dispose(Object.values(params));
        } finally {
          source.dispose?.();
        }
        poolFinished(collect);
      }
      const r = td3.outerStep(step, stateFile, s.innerInit === 'student' ? pool.params : []);
      phase.forward += r.seconds.forward;
      phase.real += r.seconds.real;
      phase.reverse += r.seconds.reverse;
      phase.inner += r.innerSteps;
      phase.steps++;
      td3.history.push({ step, outerLoss: r.loss, innerSteps: r.innerSteps });
      emit({
        type: 'outer',
        label: 'td3',
        step,
        totalSteps: s.outerSteps,
        loss: r.loss,
        etaSeconds: eta(),
        details: { innerSteps: r.innerSteps },
      });
      await new Promise((resolve) => setImmediate(resolve));
    },
    validate: async (step) => {
      const source = td3Source(td3.current(), config.data.maxLength);
      // The validation student is trained exactly as the pool's student: one training serves both.
      const collect = evaluator && poolDue(step) ? pool.collector(step) : undefined;
      try {
        const result = await evaluateStudent(
          model,
          source,
          recipe(ctx),
          { split: request.split, evaluator, config: config.eval, seed: config.seed },
          'valid',
          collect?.onEpochEnd,
        );
        if (collect) poolFinished(collect);
        const value = result?.metrics[config.eval.metric];
        if (value !== undefined) {
          td3.history.push({ step, valid: result?.metrics });
          emit({
            type: 'message',
            label: 'td3',
            text: `step ${step}: valid ${config.eval.metric} ${value.toFixed(4)}`,
          });
        }
        return value;
      } finally {
        source.dispose?.();
      }
    },
    validated: (step, value, better) => {
      if (better) saveTd3Data(dataFile, td3.current());
      const fall = relativeFall(value, td3.best.metric, higherIsBetter);
      const learningRate = td3.afterValidation(step, better, fall);
      if (learningRate === undefined) return;
      const report = backoffReport(step, td3.best.at, s.outerBackoff.patience, learningRate, fall);
      td3.history.push(report.history);
      emit({ type: 'message', label: 'td3', text: report.text });
    },
    after: (step) => {
      if (step % s.checkpointEvery === 0 || step === s.outerSteps)
        td3.checkpoint(stateFile, step, (Date.now() - started) / 1000);
    },
  });
  saveTd3Data(run.file('td3-data-last.safetensors'), td3.current());
  if (!fs.existsSync(dataFile)) saveTd3Data(dataFile, td3.current());
  const summary: DistillSummary<Td3Details> = {
    method: td3Distiller.name,
    budget,
    bestStep: td3.best.at,
    bestMetric: td3.best.metric,
    metric: config.eval.metric,
    steps: s.outerSteps,
    seconds: td3.priorSeconds + (Date.now() - started) / 1000,
    ...(initSeconds !== undefined ? { initSeconds } : {}),
    details: phase.steps
      ? {
          secondsPerOuterStep: {
            forward: phase.forward / phase.steps,
            real: phase.real / phase.steps,
            reverse: phase.reverse / phase.steps,
          },
          meanInnerSteps: phase.inner / phase.steps,
        }
      : {},
  };
  return finishDistillation(run, summary, dataFile, td3SourceFactory.name, STEP0_FILE, td3.history);
}
