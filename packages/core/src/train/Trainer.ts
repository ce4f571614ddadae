import * as tf from '@tensorflow/tfjs';
import { RunError } from '../errors/FarziError';
import type { Model, Params } from '../model/Model';
import { softCrossEntropy } from '../ops/losses';
import { disposeState, Optimizer, OptimizerState } from '../optim/Optimizer';
import { Rng } from '../random/Rng';
import { Checkpoint, CheckpointMeta } from './checkpoint';
import { NegativeProposal, nextItemLoss } from './outputLoss';
import type { ProgressListener } from './progress';
import type { Batch, TrainingSource } from './TrainingSource';
import { eventLoopYielder } from './eventLoop';

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
    const evalEvery = o.evalEvery ?? 1;
    const patience = o.patience ?? 0;
    const logEvery = o.logEvery ?? 20;
    const emit: ProgressListener = o.onProgress ?? (() => undefined);

    let params: Params;
    let state: OptimizerState;
    let rng: Rng;
    let startEpoch = 0;
    let bestMetric: number | null = null;
    let bestEpoch: number | null = null;
    let bestParams: Params | undefined;
    let badEvaluations = 0;
    let secondsBefore = 0;
    const history: EpochRecord[] = [];

    const resumed = o.resume ? o.store?.loadLast() : undefined;
    if (o.resume && !resumed) {
      throw new RunError(
        `cannot resume: ${o.store?.description ?? 'no checkpoint store'} holds no checkpoint yet.`,
      );
    }
    if (resumed) {
      params = resumed.params;
      if (!resumed.optimizer)
        throw new RunError('cannot resume: the last checkpoint has no optimiser state.');
      state = resumed.optimizer;
      rng = new Rng(resumed.meta.rng);
      startEpoch = resumed.meta.epoch;
      bestMetric = resumed.meta.bestMetric;
      bestEpoch = resumed.meta.bestEpoch;
      badEvaluations = resumed.meta.badEvaluations;
      history.push(...(resumed.meta.history as EpochRecord[]));
      secondsBefore =
        resumed.meta.elapsedSeconds ?? history.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
      bestParams = o.store?.loadBest()?.params;
      emit({ type: 'message', label, text: `resuming after epoch ${startEpoch}` });
    } else {
      params = o.model.init(o.seed);
      state = o.optimizer.init(params);
      rng = new Rng(o.seed ^ 0x5eed);
    }

    const stepsPerEpoch = Math.ceil(o.source.numSequences / o.batchSize);
    const totalSteps = stepsPerEpoch * o.epochs;
    emit({ type: 'start', label, totalSteps, epochs: o.epochs, description: o.source.description });
    const started = Date.now();
    let stepsDone = startEpoch * stepsPerEpoch;
    let stoppedEarly = false;
    const names = Object.keys(params);

    const disposeAll = (): void => {
      tf.dispose(Object.values(params));
      disposeState(state);
      if (bestParams) tf.dispose(Object.values(bestParams));
    };
    const breathe = eventLoopYielder();
    try {
      for (let epoch = startEpoch + 1; epoch <= o.epochs && !stoppedEarly; epoch++) {
        const epochStart = Date.now();
        let lossSum = 0;
        let lossCount = 0;
        let step = 0;
        let windowStart = Date.now();
        let windowSequences = 0;
        for (const batch of o.source.batches(o.batchSize, rng, {
          trimPadding: o.model.leftPaddingInvariant === true,
          lengthBuckets: o.lengthBuckets,
        })) {
          step++;
          const dropoutSeed = rng.seed();
          const current = params;
          const currentState = state;
          const out = tf.tidy(() => {
            const f = (...tensors: tf.Tensor[]): tf.Scalar => {
              const p: Params = {};
              names.forEach((n, i) => (p[n] = tensors[i]));
              return batchLoss(o.model, p, batch, true, dropoutSeed, o.dropout ?? true, o.proposal);
            };
            const { value, grads } = tf.valueAndGrads(f)(names.map((n) => current[n]));
            const g: Params = {};
            names.forEach((n, i) => (g[n] = grads[i]));
            const next = o.optimizer.step(current, g, currentState);
            return {
              loss: value,
              params: next.params,
              slots: next.state.slots as unknown as tf.TensorContainer,
            };
          });
          disposeBatch(batch);
          await breathe();
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
              startEpoch > 0 || epoch > 1
                ? `the last good checkpoint (after epoch ${epoch - 1}) is intact in ${o.store?.description ?? 'memory'}`
                : 'no checkpoint was written yet';
            throw new RunError(
              `training stopped: the loss became ${loss} at epoch ${epoch}, step ${step}; ${last}. ` +
                'Lower train.learningRate, set train.optimizer.clipNorm, or check the data.',
            );
          }
          tf.dispose(Object.values(current));
          disposeState(currentState);
          params = nextParams;
          state = nextState;
          lossSum += loss;
          lossCount++;
          stepsDone++;
          windowSequences += batch.size;
          if (step % logEvery === 0 || step === stepsPerEpoch) {
            const now = Date.now();
            const sequencesPerSecond = windowSequences / Math.max(1e-3, (now - windowStart) / 1000);
            const elapsed = (now - started) / 1000;
            const rate = (stepsDone - startEpoch * stepsPerEpoch) / Math.max(elapsed, 1e-3);
            emit({
              type: 'step',
              label,
              epoch,
              step,
              totalSteps: stepsPerEpoch,
              loss,
              sequencesPerSecond,
              etaSeconds: (totalSteps - stepsDone) / Math.max(rate, 1e-9),
            });
            windowStart = now;
            windowSequences = 0;
          }
        }
        const record: {
          epoch: number;
          loss: number;
          seconds: number;
          metrics?: Record<string, number>;
        } = {
          epoch,
          loss: lossSum / Math.max(lossCount, 1),
          seconds: (Date.now() - epochStart) / 1000,
        };
        if (o.validation && evalEvery > 0 && (epoch % evalEvery === 0 || epoch === o.epochs)) {
          const metrics = await o.validation.run(params);
          record.metrics = metrics;
          const value = metrics[o.validation.metric];
          if (value === undefined) {
            throw new RunError(
              `eval.metric: the evaluator reports ${Object.keys(metrics).join(', ')}, not "${o.validation.metric}".`,
            );
          }
          const better =
            bestMetric === null ||
            (o.validation.higherIsBetter ? value > bestMetric : value < bestMetric);
          if (better) {
            bestMetric = value;
            bestEpoch = epoch;
            badEvaluations = 0;
            if (bestParams) tf.dispose(Object.values(bestParams));
            bestParams = cloneParams(params);
          } else {
            badEvaluations++;
          }
          if (patience > 0 && badEvaluations >= patience) stoppedEarly = true;
        }
        history.push(record);
        o.onHistory?.(history, stepsPerEpoch);
        o.onEpochEnd?.(epoch, params);
        const meta: CheckpointMeta = {
          epoch,
          rng: rng.getState(),
          bestMetric,
          bestEpoch,
          badEvaluations,
          history,
          model: o.model.name,
          elapsedSeconds: secondsBefore + (Date.now() - started) / 1000,
        };
        if (o.store) {
          if (bestEpoch === epoch && bestParams) o.store.saveBest({ params: bestParams, meta });
          o.store.saveLast({ params, optimizer: state, meta });
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
    } catch (error) {
      disposeAll();
      throw error;
    }
    emit({ type: 'end', label, seconds: (Date.now() - started) / 1000 });
    disposeState(state);
    return {
      params,
      bestParams: bestParams ?? params,
      bestEpoch,
      bestMetric,
      epochsRun: history.length,
      stoppedEarly,
      history,
      seconds: secondsBefore + (Date.now() - started) / 1000,
    };
  }
}
