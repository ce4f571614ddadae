import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors/FarziError';
import { Model, nonFiniteParameter, parameterMismatch, Params } from '../model/Model';
import { disposeState, OptimizerState } from '../optim/Optimizer';

// A checkpoint's shape and the resume check (no file system: the trainer uses these in a browser).

/** What a checkpoint remembers besides tensors. */
export interface CheckpointMeta {
  /** Epochs completed. */
  readonly epoch: number;
  readonly rng: [number, number, number, number];
  readonly bestMetric: number | null;
  readonly bestEpoch: number | null;
  /** Evaluations since the best one (early stopping). */
  readonly badEvaluations: number;
  readonly history: readonly unknown[];
  /** Wall time of the run so far (training sessions before a resume included). */
  readonly elapsedSeconds?: number;
  readonly [key: string]: unknown;
}

/** Tensors and metadata: training's `CheckpointMeta`, or a caller's own (e.g. a distillation's). */
export interface Checkpoint<M = CheckpointMeta> {
  readonly params: Params;
  readonly optimizer?: OptimizerState;
  readonly meta: M;
}

/**
 * Refuses, with the user's words, a last checkpoint that cannot be resumed with `model`: another
 * model's parameters (copied in from another run) or non-finite values (a damaged file). Its
 * tensors are disposed before the error.
 */
export function checkResumable(model: Model, checkpoint: Checkpoint, where: string): void {
  const mismatch = parameterMismatch(model, checkpoint.params);
  const damaged = mismatch ? undefined : nonFiniteParameter(checkpoint.params);
  if (!mismatch && !damaged) return;
  const names = Object.keys(checkpoint.params);
  tf.dispose(Object.values(checkpoint.params));
  if (checkpoint.optimizer) disposeState(checkpoint.optimizer);
  const held = checkpoint.meta.model
    ? `a ${String(checkpoint.meta.model)} checkpoint`
    : 'a checkpoint';
  throw new UserError(
    mismatch
      ? `cannot resume: ${where} holds ${held} (parameters ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}) ` +
          `that does not fit the ${model.name} model of the config: ${mismatch}. Was a checkpoint copied in from another run?`
      : `cannot resume: the last checkpoint in ${where} is damaged: ${damaged}. Start a new run, or restore the file.`,
  );
}
