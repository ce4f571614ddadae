import * as tf from '@tensorflow/tfjs-core';
import { RunError } from '../errors/FarziError';
import type { Model, Params } from '../model/Model';
import { softCrossEntropy } from '../ops/losses';
import { disposeState, Optimizer, OptimizerState } from '../optim/Optimizer';
import { Rng } from '../random/Rng';
import { Checkpoint, CheckpointMeta, checkResumable } from './checkpointMeta';
import { NegativeProposal, nextItemLoss } from './outputLoss';
import type { ProgressListener } from './progress';
import type { Batch, TrainingSource } from './TrainingSource';
import { eventLoopYielder } from './eventLoop';
import { LoopBest, runUnits } from './unitLoop';

/** Where the trainer keeps checkpoints (a run directory, or nothing). */
export interface CheckpointStore {
  saveLast(checkpoint: Checkpoint): void;
  saveBest(checkpoint: Checkpoint): void;
  loadLast(): Checkpoint | undefined;
  loadBest(): Checkpoint | undefined;
  /** Shown in the message when training stops on a non-finite loss. */
  readonly description: string;
}

export interface Validation {
  /** Computes validation metrics of `params`. */
  run(params: Params): Promise<Record<string, number>>;
  /** The metric that decides the best epoch and early stopping. */
  readonly metric: string;
  readonly higherIsBetter: boolean;
}

export interface TrainerOptions {
  readonly model: Model;
  readonly source: TrainingSource;
  readonly optimizer: Optimizer;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly validation?: Validation;
  /** Validate every N epochs (0 = never). */
  readonly evalEvery?: number;
  /** Stop after this many validations without improvement (0 = never). */
  readonly patience?: number;
  readonly logEvery?: number;
  readonly onProgress?: ProgressListener;
  readonly store?: CheckpointStore;
  /** Continue from the store's last checkpoint. */
  readonly resume?: boolean;
  readonly label?: string;
  /** Dropout during training (default true); false trains deterministically, as Farzi's inner loop. */
  readonly dropout?: boolean;
  /** `train.lengthBuckets`: sort groups of this many batches by length (trimmed batches only). */
  readonly lengthBuckets?: number;
  /** Sampled softmax on hard batches: the negatives' proposal (default: the full softmax). */
  readonly proposal?: NegativeProposal;
  /** Called after every epoch with the whole run's history so far (resumed epochs included). */
  readonly onHistory?: (history: readonly EpochRecord[], stepsPerEpoch: number) => void;
  /** Called after every epoch with the current parameters (e.g. to keep a trajectory); do not dispose them. */
  readonly onEpochEnd?: (epoch: number, params: Params) => void;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly seconds: number;
  readonly metrics?: Record<string, number>;
}

export interface TrainResult {
  /** Parameters after the last epoch. */
  readonly params: Params;
  /** Parameters of the best validated epoch (the final ones when there was no validation). */
  readonly bestParams: Params;
  readonly bestEpoch: number | null;
  readonly bestMetric: number | null;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
  readonly history: EpochRecord[];
  /** Wall time of the whole run in seconds, the sessions before a resume included. */
  readonly seconds: number;
}

/**
 * The loss of a model on a batch: next-item cross-entropy on hard batches (computed only where a
 * target exists for models that expose their output layer; a sampled softmax with `proposal`), soft
 * cross-entropy on soft batches, or the model's own training loss on hard batches when `training`.
 * `dropout` (default: `training`) switches dropout.
 */
export function batchLoss(
  model: Model,
  params: Params,
  batch: Batch,
  training: boolean,
  seed?: number,
  dropout: boolean = training,
  proposal?: NegativeProposal,
): tf.Scalar {
  if (batch.kind === 'hard' && training && model.trainingLoss) {
    return model.trainingLoss(params, batch.inputs, batch.targets, { training: dropout, seed });
  }
  if (batch.kind === 'hard') {
    return nextItemLoss(
      model,
      params,
      batch.inputs,
      batch.targets,
      { training: dropout, seed },
      training ? proposal : undefined,
    );
  }
  const logits = model.apply(params, batch.inputs, { training: dropout, seed });
  return softCrossEntropy(logits, batch.targets, batch.mask);
}

function disposeBatch(batch: Batch): void {
  tf.dispose([batch.inputs, batch.targets]);
  if (batch.kind === 'soft') batch.mask.dispose();
}

function cloneParams(params: Params): Params {
  const out: Params = {};
  for (const [n, t] of Object.entries(params)) out[n] = tf.clone(t);
  return out;
}

/**
 * The one training loop: any model on any training source (real ids, soft Farzi Data, a sample),
 * with the shared functional optimiser, seeded shuffling and dropout, validation with early
 * stopping, atomic checkpoints and resume. A non-finite loss stops training with a `RunError`
 * before the bad step is applied or checkpointed.
 */
export class Trainer {
  constructor(private readonly options: TrainerOptions) {}

  async run(): Promise<TrainResult> {
    const o = this.options;
    const label = o.label ?? o.model.name;
    const emit: ProgressListener = o.onProgress ?? (() => undefined);
    const s = this.begin(label, emit);
    const stepsPerEpoch = Math.ceil(o.source.numSequences / o.batchSize);
    emit({
      type: 'start',
      label,
      totalSteps: stepsPerEpoch * o.epochs,
      epochs: o.epochs,
      description: o.source.description,
    });
    const clock = { started: Date.now(), stepsDone: s.startEpoch * stepsPerEpoch, stepsPerEpoch };
    let record: EpochRecord = { epoch: 0, loss: 0, seconds: 0 };
    let stoppedEarly: boolean;
    try {
      ({ stoppedEarly } = await runUnits({
        total: o.epochs,
        done: s.startEpoch,
        evalEvery: o.validation ? (o.evalEvery ?? 1) : 0,
        patience: o.patience ?? 0,
        higherIsBetter: o.validation?.higherIsBetter ?? true,
        best: s.best,
        unit: async (epoch) => {
          record = await this.epoch(s, epoch, label, emit, clock);
        },
        validate: async () => {
          const v = o.validation as Validation;
          const metrics = await v.run(s.params);
          record = { ...record, metrics };
          const value = metrics[v.metric];
          if (value === undefined) {
            throw new RunError(
              `eval.metric: the evaluator reports ${Object.keys(metrics).join(', ')}, not "${v.metric}".`,
            );
          }
          return value;
        },
        validated: (_epoch, _value, better) => {
          if (!better) return;
          if (s.bestParams) tf.dispose(Object.values(s.bestParams));
          s.bestParams = cloneParams(s.params);
        },
        after: (epoch) =>
          this.endEpoch(s, record, epoch, label, emit, clock.started, stepsPerEpoch),
      }));
    } catch (error) {
      tf.dispose(Object.values(s.params));
      disposeState(s.state);
      if (s.bestParams) tf.dispose(Object.values(s.bestParams));
      throw error;
    }
    emit({ type: 'end', label, seconds: (Date.now() - clock.started) / 1000 });
    disposeState(s.state);
    return {
      params: s.params,
      bestParams: s.bestParams ?? s.params,
      bestEpoch: s.best.at,
      bestMetric: s.best.metric,
      epochsRun: s.history.length,
      stoppedEarly,
      history: s.history,
      seconds: s.secondsBefore + (Date.now() - clock.started) / 1000,
    };
  }

  /** A fresh start, or the state of the store's last checkpoint (`resume`). */
  private begin(label: string, emit: ProgressListener): RunState {
    const o = this.options;
    const resumed = o.resume ? o.store?.loadLast() : undefined;
    if (o.resume && !resumed) {
      throw new RunError(
        `cannot resume: ${o.store?.description ?? 'no checkpoint store'} holds no checkpoint yet.`,
      );
    }
    if (!resumed) {
      const params = o.model.init(o.seed);
      return {
        params,
        state: o.optimizer.init(params),
        rng: new Rng(o.seed ^ 0x5eed),
        startEpoch: 0,
        best: { metric: null, at: null, badEvaluations: 0 },
        history: [],
        secondsBefore: 0,
        names: Object.keys(params),
      };
    }
    checkResumable(o.model, resumed, o.store?.description ?? 'the run');
    if (!resumed.optimizer)
      throw new RunError('cannot resume: the last checkpoint has no optimiser state.');
    const { meta } = resumed;
    const history = [...(meta.history as EpochRecord[])];
    emit({ type: 'message', label, text: `resuming after epoch ${meta.epoch}` });
    return {
      params: resumed.params,
      state: resumed.optimizer,
      rng: new Rng(meta.rng),
      startEpoch: meta.epoch,
      best: { metric: meta.bestMetric, at: meta.bestEpoch, badEvaluations: meta.badEvaluations },
      history,
      secondsBefore: meta.elapsedSeconds ?? history.reduce((sum, r) => sum + (r.seconds ?? 0), 0),
      bestParams: o.store?.loadBest()?.params,
      names: Object.keys(resumed.params),
    };
  }

  /** One pass over the source: a step per batch, progress every `logEvery` steps. */
  private async epoch(
    s: RunState,
    epoch: number,
    label: string,
    emit: ProgressListener,
    clock: { started: number; stepsDone: number; stepsPerEpoch: number },
  ): Promise<EpochRecord> {
    const o = this.options;
    const logEvery = o.logEvery ?? 20;
    const totalSteps = clock.stepsPerEpoch * o.epochs;
    const breathe = eventLoopYielder();
    const epochStart = Date.now();
    let lossSum = 0;
    let step = 0;
    let windowStart = Date.now();
    let windowSequences = 0;
    for (const batch of o.source.batches(o.batchSize, s.rng, {
      trimPadding: o.model.leftPaddingInvariant === true,
      lengthBuckets: o.lengthBuckets,
    })) {
      step++;
      const loss = this.step(s, batch, epoch, step);
      await breathe();
      lossSum += loss;
      clock.stepsDone++;
      windowSequences += batch.size;
      if (step % logEvery === 0 || step === clock.stepsPerEpoch) {
        const now = Date.now();
        const elapsed = (now - clock.started) / 1000;
        const rate =
          (clock.stepsDone - s.startEpoch * clock.stepsPerEpoch) / Math.max(elapsed, 1e-3);
        emit({
          type: 'step',
          label,
          epoch,
          step,
          totalSteps: clock.stepsPerEpoch,
          loss,
          sequencesPerSecond: windowSequences / Math.max(1e-3, (now - windowStart) / 1000),
          etaSeconds: (totalSteps - clock.stepsDone) / Math.max(rate, 1e-9),
        });
        windowStart = now;
        windowSequences = 0;
      }
    }
    return { epoch, loss: lossSum / Math.max(step, 1), seconds: (Date.now() - epochStart) / 1000 };
  }

  /** One optimiser step on a batch (disposed here); a non-finite loss stops before it applies. */
  private step(s: RunState, batch: Batch, epoch: number, step: number): number {
    const o = this.options;
    const dropoutSeed = s.rng.seed();
    const current = s.params;
    const currentState = s.state;
    const out = tf.tidy(() => {
      const f = (...tensors: tf.Tensor[]): tf.Scalar => {
        const p: Params = {};
        s.names.forEach((n, i) => (p[n] = tensors[i]));
        return batchLoss(o.model, p, batch, true, dropoutSeed, o.dropout ?? true, o.proposal);
      };
      const { value, grads } = tf.valueAndGrads(f)(s.names.map((n) => current[n]));
      const g: Params = {};
      s.names.forEach((n, i) => (g[n] = grads[i]));
      const next = o.optimizer.step(current, g, currentState);
      return {
        loss: value,
        params: next.params,
        slots: next.state.slots as unknown as tf.TensorContainer,
      };
    });
    disposeBatch(batch);
    const loss = (out.loss as tf.Scalar).dataSync()[0];
    out.loss.dispose();
    const nextParams = out.params as Params;
    const nextState: OptimizerState = {
      step: currentState.step + 1,
      slots: out.slots as unknown as OptimizerState['slots'],
    };
    if (!Number.isFinite(loss)) {
      tf.dispose(Object.values(nextParams));
      disposeState(nextState);
      const last =
        s.startEpoch > 0 || epoch > 1
          ? `the last good checkpoint (after epoch ${epoch - 1}) is intact in ${o.store?.description ?? 'memory'}`
          : 'no checkpoint was written yet';
      throw new RunError(
        `training stopped: the loss became ${loss} at epoch ${epoch}, step ${step}; ${last}. ` +
          'Lower train.learningRate, set train.optimizer.clipNorm, or check the data.',
      );
    }
    tf.dispose(Object.values(current));
    disposeState(currentState);
    s.params = nextParams;
    s.state = nextState;
    return loss;
  }

  /** After an epoch and its validation: history, callbacks, checkpoints, the epoch event. */
  private endEpoch(
    s: RunState,
    record: EpochRecord,
    epoch: number,
    label: string,
    emit: ProgressListener,
    started: number,
    stepsPerEpoch: number,
  ): void {
    const o = this.options;
    s.history.push(record);
    o.onHistory?.(s.history, stepsPerEpoch);
    o.onEpochEnd?.(epoch, s.params);
    const meta: CheckpointMeta = {
      epoch,
      rng: s.rng.getState(),
      bestMetric: s.best.metric,
      bestEpoch: s.best.at,
      badEvaluations: s.best.badEvaluations,
      history: s.history,
      model: o.model.name,
      elapsedSeconds: s.secondsBefore + (Date.now() - started) / 1000,
    };
    if (o.store) {
      if (s.best.at === epoch && s.bestParams) o.store.saveBest({ params: s.bestParams, meta });
      o.store.saveLast({ params: s.params, optimizer: s.state, meta });
    }
    emit({
      type: 'epoch',
      label,
      epoch,
      loss: record.loss,
      seconds: record.seconds,
      metrics: record.metrics,
    });
  }
}

/** What one training run carries from epoch to epoch. */
interface RunState {
  params: Params;
  state: OptimizerState;
  readonly rng: Rng;
  /** Epochs a resumed run already holds. */
  readonly startEpoch: number;
  readonly best: LoopBest;
  bestParams?: Params;
  readonly history: EpochRecord[];
  readonly secondsBefore: number;
  readonly names: string[];
}
