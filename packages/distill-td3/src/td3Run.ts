import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs-core';
import {
  adam,
  AdamHyper,
  DistillRequest,
  disposeState,
  ExperimentConfig,
  fingerprintSplit,
  LoopBest,
  loadCheckpoint,
  Model,
  Optimizer,
  OptimizerState,
  Params,
  ProgressListener,
  RunError,
  Rng,
  RngState,
  RunDirectory,
  saveCheckpoint,
} from '@farzi/core';
import {
  alignWithTeacher,
  disposeRealBatch,
  disposeSynthetic,
  metaGradient,
  obtainTeacher,
  OuterBackoff,
  runInnerLoop,
  sampleRealBatch,
  toList,
} from '@farzi/distill-kit';
import type { Td3Data } from './td3Data';
import { fitToTeacher } from './td3Init';
import type { Td3Settings } from './td3Schema';
import { FACTOR_NAMES, TuckerFactors, tuckerSequences } from './tucker';

/** What every part of a TD3 distillation shares. */
export interface Td3Context {
  readonly request: DistillRequest;
  readonly config: ExperimentConfig;
  readonly settings: Td3Settings;
  readonly model: Model;
  readonly run: RunDirectory;
  readonly sequences: Int32Array[];
  readonly emit: ProgressListener;
}

interface Td3Meta {
  kind: 'td3-distillation';
  step: number;
  rng: RngState;
  best: LoopBest;
  history: Record<string, unknown>[];
  seconds: number;
  /** The outer learning rate's factor after back-offs (distill.outerBackoff; absent: 1). */
  outerLearningRateScale?: number;
}

/** One outer step's figures. */
export interface Td3Step {
  readonly loss: number;
  readonly innerSteps: number;
  readonly seconds: { forward: number; real: number; reverse: number };
}

/**
 * The outer state of a TD3 distillation — the Tucker factors, the outer Adam state, the RNG and
 * the best validation — with its start (fresh or resumed), one outer step, its checkpoint and its
 * disposal.
 */
export class Td3Run {
  readonly best: LoopBest = { metric: null, at: null, badEvaluations: 0 };
  readonly history: Record<string, unknown>[] = [];
  priorSeconds = 0;
  teacher: Params | undefined;
  /** distill.outerBackoff: the factors at the best validation and the outer step's scale. */
  private backoff: OuterBackoff;

  private constructor(
    private readonly ctx: Td3Context,
    private outer: Optimizer,
    public factors: TuckerFactors,
    private opt: OptimizerState,
    readonly rng: Rng,
    readonly startStep: number,
  ) {
    this.backoff = OuterBackoff.fresh(ctx.settings.outerBackoff);
  }

  /** The outer optimiser: Adam with train.optimizer's moments at the (backed-off) learning rate. */
  private static outerOptimizer(ctx: Td3Context, scale = 1): Optimizer {
    return adam(
      { ...ctx.config.train.optimizer, name: 'adam', weightDecay: 0, clipNorm: 0, epsRoot: 0 },
      ctx.settings.outerLearningRate * scale,
    );
  }

  /** Resumes from `stateFile` when asked and present; otherwise initialises the factors. */
  static async start(ctx: Td3Context, stateFile: string, resume: boolean): Promise<Td3Run> {
    const s = ctx.settings;
    const outer = Td3Run.outerOptimizer(ctx);
    const needsTeacher =
      s.init === 'teacher' || s.outerTeacher.weight > 0 || s.outerTeacher.featureWeight > 0;
    const teacher = needsTeacher
      ? await obtainTeacher(ctx.model, ctx.request, ctx.run, ctx.emit, s.teacher.checkpoint)
      : undefined;
    let run: Td3Run;
    if (resume && fs.existsSync(stateFile)) {
      const saved = loadCheckpoint<Td3Meta>(stateFile);
      const p = saved.params;
      const factors = {
        users: p.users,
        positions: p.positions,
        items: p.items,
        core: p.core,
      } as TuckerFactors;
      const scale = saved.meta.outerLearningRateScale ?? 1;
      run = new Td3Run(
        ctx,
        Td3Run.outerOptimizer(ctx, scale),
        factors,
        saved.optimizer as OptimizerState,
        new Rng(saved.meta.rng),
        saved.meta.step,
      );
      Object.assign(run.best, saved.meta.best);
      run.history.push(...saved.meta.history);
      run.priorSeconds = saved.meta.seconds;
      run.backoff = OuterBackoff.resumed(s.outerBackoff, saved.params, scale);
      ctx.emit({
        type: 'message',
        label: 'td3',
        text: `resuming after outer step ${run.startStep}`,
      });
    } else {
      let factors = initialFactors(ctx, teacher);
      if (s.init === 'teacher' && teacher && s.teacher.fitSteps > 0) {
        const fit = fitToTeacher(ctx, teacher, factors);
        factors = fit.factors;
        ctx.emit({
          type: 'message',
          label: 'td3',
          text: `teacher sequences fitted into the Tucker factors: cross-entropy ${fit.loss.toFixed(4)} vs target entropy ${fit.entropy.toFixed(4)} (KL ${(fit.loss - fit.entropy).toFixed(4)} nats/position)`,
        });
      }
      run = new Td3Run(
        ctx,
        outer,
        factors,
        outer.init(factors as unknown as Params),
        new Rng(ctx.config.seed ^ 0x7d3),
        0,
      );
    }
    run.teacher = teacher;
    return run;
  }

  /**
   * One outer step: a student — from a random initialisation, or (innerInit "student") from a
   * random one of `starts`, checkpoints of a student trained on the current data — runs a random
   * number of inner steps in [T, horizon] on this step's window of the synthetic sequences; the
   * last T are differentiated (RaT-BPTT) against the outer loss on a real batch, and the factors
   * take an outer Adam step. `starts` stay the caller's.
   */
  outerStep(step: number, stateFile: string, starts: readonly Params[] = []): Td3Step {
    const { model, settings: s } = this.ctx;
    const hyper: AdamHyper = {
      learningRate: s.innerLearningRate,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      epsRoot: 1e-8,
      weightDecay: 0,
    };
    const xi = s.size[1];
    const crop = s.crop > 0 ? Math.min(s.crop, xi) : xi;
    const window = crop < xi ? { start: this.rng.int(xi - crop + 1), length: crop } : undefined;
    const sequences = tuckerSequences(this.factors, s.temperature, window);
    const horizon = Math.max(s.innerSteps, s.horizon);
    const prefix = horizon > s.innerSteps ? this.rng.int(horizon - s.innerSteps + 1) : 0;
    const fresh = starts.length === 0;
    const { names, values } = toList(
      fresh ? model.init(this.rng.int(2 ** 31 - 1)) : starts[this.rng.int(starts.length)],
    );
    let w0 = values;
    if (prefix > 0) {
      const synthetic = sequences.decode();
      const { final } = runInnerLoop(model, names, w0, synthetic, { steps: prefix, hyper });
      disposeSynthetic(synthetic);
      if (fresh) tf.dispose(values);
      tf.dispose([...final.m, ...final.v]);
      w0 = final.w;
    }
    const ownsStart = fresh || prefix > 0;
    const sampled = sampleRealBatch(
      this.ctx.sequences,
      s.realBatchSize,
      this.ctx.config.data.maxLength,
      this.rng,
    );
    const real = alignWithTeacher(model, this.teacher, sampled, s.outerTeacher);
    const meta = metaGradient(model, names, w0, sequences, real, {
      steps: s.innerSteps,
      hyper,
      method: 'exact',
      checkpointEvery: s.reverseCheckpointEvery,
    });
    if (ownsStart) tf.dispose(w0);
    disposeRealBatch(real);
    const finite =
      Number.isFinite(meta.loss) &&
      tf.tidy(
        () =>
          tf
            .all(tf.stack(FACTOR_NAMES.map((n) => tf.all(tf.isFinite(meta.grads[n])))))
            .dataSync()[0],
      );
    if (!finite) {
      tf.dispose(Object.values(meta.grads));
      throw new RunError(
        `distillation stopped: the outer loss or meta-gradient became non-finite at outer step ${step}; the last saved state (${stateFile}) is intact. Lower distill.innerLearningRate or distill.outerLearningRate.`,
      );
    }
    // The update's intermediates are freed; the new factors and moments are kept.
    const next = tf.tidy(() => {
      const r = this.outer.step(this.factors as unknown as Params, meta.grads, this.opt);
      return { params: r.params, m: r.state.slots.m, v: r.state.slots.v, step: r.state.step };
    });
    tf.dispose([...Object.values(this.factors), ...Object.values(meta.grads)]);
    disposeState(this.opt);
    this.factors = next.params as unknown as TuckerFactors;
    this.opt = { step: next.step, slots: { m: next.m, v: next.v } };
    return { loss: meta.loss, innerSteps: prefix + s.innerSteps, seconds: meta.seconds };
  }

  /**
   * After a validation (distill.outerBackoff): keeps the factors on a new best; when validation has
   * fallen, goes back to the best factors with the outer learning rate times the factor and a
   * fresh outer Adam state. Returns the new outer learning rate when it backed off.
   */
  afterValidation(step: number, better: boolean, fall?: number): number | undefined {
    const current = this.factors as unknown as Params;
    const back = this.backoff.afterValidation(
      step,
      this.ctx.settings.outerSteps,
      better,
      this.best,
      current,
      fall,
    );
    if (!back) return undefined;
    tf.dispose(Object.values(current));
    disposeState(this.opt);
    this.factors = back as unknown as TuckerFactors;
    this.outer = Td3Run.outerOptimizer(this.ctx, this.backoff.scale);
    this.opt = this.outer.init(back);
    return this.outer.learningRate;
  }

  /** The current data (the factors are the run's: save them, do not dispose them). */
  current(): Td3Data {
    return {
      factors: this.factors,
      temperature: this.ctx.settings.temperature,
      vocabulary: this.ctx.request.split.vocab.tokens,
      sourceFingerprint: fingerprintSplit(this.ctx.request.split),
    };
  }

  checkpoint(stateFile: string, step: number, seconds: number): void {
    saveCheckpoint<Td3Meta>(stateFile, {
      params: { ...(this.factors as unknown as Params), ...this.backoff.checkpointParams() },
      optimizer: this.opt,
      meta: {
        kind: 'td3-distillation',
        step,
        rng: this.rng.getState(),
        best: { ...this.best },
        history: this.history,
        seconds: this.priorSeconds + seconds,
        ...(this.backoff.scale !== 1 ? { outerLearningRateScale: this.backoff.scale } : {}),
      },
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.factors));
    this.backoff.dispose();
    if (this.teacher) tf.dispose(Object.values(this.teacher));
    disposeState(this.opt);
  }
}

/** Small random factors; with init "teacher", the item factor is the teacher's item vectors. */
function initialFactors(ctx: Td3Context, teacher: Params | undefined): TuckerFactors {
  const s = ctx.settings;
  const { model } = ctx;
  const [mu, xi] = s.size;
  const seed = ctx.config.seed * 31 + 7;
  const r3 = itemRank(ctx);
  const normal = (shape: number[], k: number) =>
    tf.randomNormal(shape, 0, 0.1, 'float32', seed + k);
  // init "teacher": E starts as the teacher's item vectors when its output layer gives one of
  // size r3 per item (the fit then moves every factor).
  const layer = s.init === 'teacher' && teacher ? model.outputLayer?.(teacher) : undefined;
  const vectors = layer
    ? ((layer.itemAxis === 0
        ? tf.clone(layer.weights)
        : tf.transpose(layer.weights)) as tf.Tensor2D)
    : undefined;
  const fits =
    vectors !== undefined && vectors.shape[0] === model.vocabSize && vectors.shape[1] === r3;
  if (vectors && !fits) vectors.dispose();
  const items = fits ? (vectors as tf.Tensor2D) : (normal([model.vocabSize, r3], 3) as tf.Tensor2D);
  return {
    users: normal([mu, s.ranks.users], 1) as tf.Tensor2D,
    positions: normal([xi, s.ranks.positions], 2) as tf.Tensor2D,
    items,
    core: normal([s.ranks.users, s.ranks.positions, r3], 4) as tf.Tensor3D,
  };
}

/** r3: as configured, or the model's hidden size (its output layer's width), or 16. */
export function itemRank(ctx: Pick<Td3Context, 'settings' | 'model'>): number {
  if (ctx.settings.ranks.items > 0) return ctx.settings.ranks.items;
  const hidden = Number(ctx.model.hyperParameters.hiddenSize ?? ctx.model.hyperParameters.d);
  return Number.isInteger(hidden) && hidden > 0 ? hidden : 16;
}
