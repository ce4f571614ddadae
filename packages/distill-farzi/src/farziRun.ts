import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import {
  adam,
  AdamHyper,
  disposeState,
  fingerprintSplit,
  loadCheckpoint,
  LoopBest,
  Optimizer,
  OptimizerState,
  Params,
  Rng,
  RunError,
  saveCheckpoint,
} from '@farzi/core';
import type { FarziData } from './farziData';
import type { InnerArchitecture } from './innerModels';
import { afterStep, beforeStep, OuterDiagnosis } from './outerDiagnosis';
import { initializeFarzi } from './initialize';
import {
  alignWithTeacher,
  disposeRealBatch,
  metaGradient,
  MetaResult,
  nextItemCounts,
  OuterBackoff,
  popularityWeights,
  RealBatch,
  sampleRealBatch,
} from '@farzi/distill-kit';
import { farziSequences } from './synthetic';
import { teacherInitialization, teacherParams } from './teacherStart';

import { FarziCheckpointMeta, farziMeta, TrainingFieldsMeta } from './farziCheckpoint';
import type { FarziContext } from './farziContext';

export { farziContext } from './farziContext';
export type { FarziContext } from './farziContext';
export { farziMeta } from './farziCheckpoint';
export type { FarziCheckpointMeta, TrainingFieldsMeta } from './farziCheckpoint';

/**
 * The outer state of a Farzi distillation — the latent F, the decoder M, the learned inner
 * learning-rate schedule, the outer Adam state and the RNG — with its start (fresh or resumed),
 * one outer step, its checkpoint and its disposal.
 */
export class FarziRun {
  /** The best validation so far; the shared loop (runUnits) updates it. */
  readonly best: LoopBest = { metric: null, at: null, badEvaluations: 0 };
  readonly history: Record<string, unknown>[] = [];
  /** Seconds spent by the sessions before a resume (0 for a fresh run). */
  priorSeconds = 0;
  /** distill.outerBackoff: (F, M[, log α]) at the best validation and the outer step's scale. */
  private backoff: OuterBackoff;
  /** The teacher of the outer loss's alignment term (distill.outerTeacher.weight > 0). */
  private teacher: Params | undefined;
  /** Each item's count as a next item in the real data (distill.outerPopularityPower > 0). */
  private nextItemCounts: Float64Array | undefined;

  get bestMetric(): number | null {
    return this.best.metric;
  }

  get bestStep(): number | null {
    return this.best.at;
  }

  private constructor(
    private readonly ctx: FarziContext,
    private outer: Optimizer,
    private latent: tf.Tensor,
    private decoder: tf.Tensor,
    /** log α_t per inner step when the schedule is learned (distill.learnInnerLearningRate). */
    private logLr: tf.Tensor | undefined,
    private opt: OptimizerState,
    readonly rng: Rng,
    /** The last outer step already taken (0 for a fresh run). */
    readonly startStep: number,
  ) {
    this.backoff = OuterBackoff.fresh(ctx.settings.outerBackoff);
  }

  /** The outer optimiser: Adam with train.optimizer's moments, no weight decay or clipping. */
  private static outerOptimizer(ctx: FarziContext, scale = 1): Optimizer {
    return adam(
      { ...ctx.config.train.optimizer, name: 'adam', weightDecay: 0, clipNorm: 0, epsRoot: 0 },
      ctx.settings.outerLearningRate * scale,
    );
  }

  /** The outer learning rate now (distill.outerLearningRate after back-offs). */
  get outerLearningRate(): number {
    return this.outer.learningRate;
  }

  private outerParams(): Params {
    return {
      latent: this.latent,
      decoder: this.decoder,
      ...(this.logLr ? { logLr: this.logLr } : {}),
    };
  }

  /**
   * After a validation (distill.outerBackoff): keeps the data on a new best; when validation has
   * fallen, goes back to the best data with the outer learning rate times the factor and a fresh
   * outer Adam state. Returns the new outer learning rate when it backed off.
   */
  afterValidation(step: number, better: boolean, fall?: number): number | undefined {
    const outerSteps = this.ctx.settings.outerSteps;
    const back = this.backoff.afterValidation(
      step,
      outerSteps,
      better,
      this.best,
      this.outerParams(),
      fall,
    );
    if (!back) return undefined;
    tf.dispose(Object.values(this.outerParams()));
    disposeState(this.opt);
    this.latent = back.latent;
    this.decoder = back.decoder;
    this.logLr = back.logLr;
    this.outer = FarziRun.outerOptimizer(this.ctx, this.backoff.scale);
    this.opt = this.outer.init(this.outerParams());
    return this.outer.learningRate;
  }

  /**
   * Resumes from `stateFile` when asked and present; otherwise initialises (F, M) afresh. Loads the
   * teacher of the outer loss when its alignment term has a weight.
   */
  static async start(ctx: FarziContext, stateFile: string, resume: boolean): Promise<FarziRun> {
    const run = await FarziRun.startState(ctx, stateFile, resume);
    const aligned = ctx.settings.outerTeacher;
    if (aligned.weight > 0 || aligned.featureWeight > 0) {
      const { model, request, run: dir, emit } = ctx;
      run.teacher = await teacherParams(model, request, dir, emit);
    }
    if (ctx.settings.outerPopularityPower > 0) {
      run.nextItemCounts = nextItemCounts(ctx.sequences, ctx.split.vocab.size);
    }
    return run;
  }

  private static async startState(
    ctx: FarziContext,
    stateFile: string,
    resume: boolean,
  ): Promise<FarziRun> {
    const outer = FarziRun.outerOptimizer(ctx);
    const dc = ctx.settings;
    if (resume && fs.existsSync(stateFile)) {
      const saved = loadCheckpoint<FarziCheckpointMeta | TrainingFieldsMeta>(stateFile);
      const meta = farziMeta(saved.meta);
      const { latent, decoder, logLr } = saved.params;
      const scale = meta.learningRateScale ?? 1;
      const run = new FarziRun(
        ctx,
        scale === 1 ? outer : FarziRun.outerOptimizer(ctx, scale),
        latent,
        decoder,
        logLr,
        saved.optimizer as OptimizerState,
        new Rng(meta.rng),
        meta.step,
      );
      Object.assign(run.best, meta.best);
      run.history.push(...meta.history);
      run.priorSeconds = meta.seconds ?? 0;
      run.backoff = OuterBackoff.resumed(dc.outerBackoff, saved.params, scale);
      ctx.emit({
        type: 'message',
        label: 'farzi',
        text: `resuming after outer step ${run.startStep}`,
      });
      return run;
    }
    const { latent, decoder } =
      dc.init === 'teacher'
        ? await teacherInitialization(ctx.model, ctx.request, ctx.sequences, ctx.run, ctx.emit)
        : initializeFarzi(dc, ctx.split.vocab.size, ctx.sequences, ctx.config.seed);
    const logLr = dc.learnInnerLearningRate
      ? tf.fill([dc.innerSteps], Math.log(dc.innerLearningRate))
      : undefined;
    const opt = outer.init({ latent, decoder, ...(logLr ? { logLr } : {}) });
    return new FarziRun(
      ctx,
      outer,
      latent,
      decoder,
      logLr,
      opt,
      new Rng(ctx.config.seed ^ 0xfa121),
      0,
    );
  }

  /** The learned inner learning rates α_t (undefined when the schedule is fixed). */
  schedule(): number[] | undefined {
    const logLr = this.logLr;
    return logLr ? Array.from(tf.tidy(() => tf.exp(logLr)).dataSync()) : undefined;
  }

  /** The Farzi Data as it is now (tensors owned by the run: do not dispose). */
  current(info: Record<string, unknown>): FarziData {
    const { split, settings } = this.ctx;
    return {
      latent: this.latent as tf.Tensor3D,
      decoder: this.decoder as tf.Tensor2D,
      temperature: settings.temperature,
      ...(settings.support ? { support: settings.support } : {}),
      vocabulary: split.vocab.tokens,
      sourceFingerprint: fingerprintSplit(split),
      info: { ...info, ...(this.logLr ? { innerLearningRates: this.schedule() } : {}) },
    };
  }

  /**
   * One outer step: an inner loop from `w0` on the synthetic data, the outer loss on a sampled real
   * batch, the reverse-mode meta-gradient, and an outer Adam update of (F, M[, log α]).
   */
  outerStep(
    step: number,
    arch: Pick<InnerArchitecture, 'model' | 'names' | 'primary'>,
    w0: tf.Tensor[],
    stateFile: string,
  ): MetaResult {
    const dc = this.ctx.settings;
    const hyper: AdamHyper = { learningRate: dc.innerLearningRate, ...dc.innerOptimizer };
    const sampled = sampleRealBatch(
      this.ctx.sequences,
      dc.realBatchSize,
      this.ctx.config.data.maxLength,
      this.rng,
    );
    // The teacher's targets come from its own architecture (the config's model); its hidden
    // states only align a student of that architecture.
    const aligned = alignWithTeacher(this.ctx.model, this.teacher, sampled, dc.outerTeacher);
    if (!arch.primary && aligned.features) aligned.features.hidden.dispose();
    const real = this.withWeights(arch.primary ? aligned : { ...aligned, features: undefined });
    const meta = metaGradient(
      arch.model,
      arch.names,
      w0,
      farziSequences({
        latent: this.latent,
        decoder: this.decoder,
        temperature: dc.temperature,
        support: dc.support,
      }),
      real,
      {
        steps: dc.innerSteps,
        hyper,
        learningRates: this.schedule(),
        method: dc.metaGradient,
        checkpointEvery: dc.reverseCheckpointEvery,
        sequenceChunk: dc.sequenceChunk,
      },
    );
    const inner = { model: arch.model, names: arch.names, w0, real, settings: dc };
    const probe = dc.diagnose
      ? beforeStep(inner, this.current({}), meta.grads, this.schedule())
      : undefined;
    try {
      this.checkFinite(meta, step, stateFile);
      this.update(meta);
      this.diagnosis =
        probe && afterStep(inner, probe, this.current({}), meta.loss, this.schedule());
    } finally {
      probe?.dispose();
      disposeRealBatch(real);
    }
    return meta;
  }

  /** What distill.diagnose measured at the last outer step (undefined when it is off). */
  diagnosis: OuterDiagnosis | undefined;

  /** The real batch with a weight per real position (outerPopularityPower). */
  private withWeights(real: RealBatch): RealBatch {
    const counts = this.nextItemCounts;
    if (!counts) return real;
    const power = this.ctx.settings.outerPopularityPower;
    return { ...real, weights: popularityWeights(real.targets, counts, power) };
  }

  private checkFinite(meta: MetaResult, step: number, stateFile: string): void {
    const finite = tf.tidy(
      () =>
        tf
          .logicalAnd(
            tf.logicalAnd(
              tf.all(tf.isFinite(meta.grads.latent)),
              tf.all(tf.isFinite(meta.grads.decoder)),
            ),
            meta.learningRates ? tf.all(tf.isFinite(meta.learningRates)) : tf.scalar(true),
          )
          .dataSync()[0],
    );
    if (Number.isFinite(meta.loss) && finite) return;
    // The run's own tensors are disposed by its owner (FarziRun.dispose).
    tf.dispose([meta.grads.latent, meta.grads.decoder]);
    if (meta.learningRates) meta.learningRates.dispose();
    throw new RunError(
      `distillation stopped: the outer loss or meta-gradient became non-finite at outer step ${step}; ` +
        `the last saved state (${stateFile}) is intact. Lower distill.innerLearningRate or distill.outerLearningRate.`,
    );
  }

  private update(meta: MetaResult): void {
    const { latent, decoder, logLr, opt, outer } = this;
    const next = tf.tidy(() => {
      const params: Params = { latent, decoder };
      const grads: Params = { latent: meta.grads.latent, decoder: meta.grads.decoder };
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
    tf.dispose([meta.grads.latent, meta.grads.decoder, latent, decoder]);
    if (meta.learningRates) meta.learningRates.dispose();
    if (logLr) logLr.dispose();
    disposeState(opt);
    this.latent = next.latent as tf.Tensor;
    this.decoder = next.decoder as tf.Tensor;
    this.logLr = next.logLr as tf.Tensor | undefined;
    this.opt = { step: opt.step + 1, slots: next.slots as unknown as OptimizerState['slots'] };
  }

  /**
   * Saves the outer state after `step` (atomically), with its own typed meta-data; `seconds`: this
   * session's seconds so far (the checkpoint keeps the total over every session).
   */
  checkpoint(stateFile: string, step: number, seconds: number): void {
    saveCheckpoint<FarziCheckpointMeta>(stateFile, {
      params: {
        ...this.outerParams(),
        ...this.backoff.checkpointParams(),
      },
      optimizer: this.opt,
      meta: {
        kind: 'farzi-distillation',
        step,
        rng: this.rng.getState(),
        best: { ...this.best },
        history: this.history,
        seconds: this.priorSeconds + seconds,
        ...(this.backoff.scale !== 1 ? { learningRateScale: this.backoff.scale } : {}),
      },
    });
  }

  dispose(): void {
    tf.dispose([this.latent, this.decoder]);
    this.backoff.dispose();
    if (this.teacher) tf.dispose(Object.values(this.teacher));
    if (this.logLr) this.logLr.dispose();
    disposeState(this.opt);
  }
}
