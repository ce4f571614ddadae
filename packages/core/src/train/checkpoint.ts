import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import { UserError } from '../errors/FarziError';
import { readSafetensors, StoredTensor, writeSafetensors } from '../io/safetensors';
import { Model, nonFiniteParameter, parameterMismatch, Params } from '../model/Model';
import { disposeState, OptimizerState } from '../optim/Optimizer';

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

function store(t: tf.Tensor): StoredTensor {
  return {
    dtype: t.dtype === 'int32' ? 'int32' : 'float32',
    shape: t.shape,
    values: t.dtype === 'int32' ? (t.dataSync() as Int32Array) : (t.dataSync() as Float32Array),
  };
}

/** Writes params, optimiser state and metadata to one safetensors file, atomically. */
export function saveCheckpoint<M>(file: string, checkpoint: Checkpoint<M>): void {
  const tensors: Record<string, StoredTensor> = {};
  for (const [n, t] of Object.entries(checkpoint.params)) tensors[`param/${n}`] = store(t);
  if (checkpoint.optimizer) {
    for (const [slot, params] of Object.entries(checkpoint.optimizer.slots)) {
      for (const [n, t] of Object.entries(params)) tensors[`opt/${slot}/${n}`] = store(t);
    }
  }
  const metadata = {
    format: 'farzi-checkpoint',
    version: '1',
    meta: JSON.stringify(checkpoint.meta),
    optimizerStep: String(checkpoint.optimizer?.step ?? 0),
  };
  writeSafetensors(file, { tensors, metadata });
}

export function loadCheckpoint<M = CheckpointMeta>(file: string): Checkpoint<M> {
  if (!fs.existsSync(file)) throw new UserError(`no checkpoint at ${file}.`);
  const content = readSafetensors(file);
  if (content.metadata.format !== 'farzi-checkpoint') {
    throw new UserError(`${file} is not a farzi checkpoint (format "${content.metadata.format}").`);
  }
  const params: Params = {};
  const slots: Record<string, Params> = {};
  for (const [key, t] of Object.entries(content.tensors)) {
    const tensor = tf.tensor(t.values, t.shape, t.dtype);
    const parts = key.split('/');
    if (parts[0] === 'param') params[parts.slice(1).join('/')] = tensor;
    else if (parts[0] === 'opt') (slots[parts[1]] ??= {})[parts.slice(2).join('/')] = tensor;
  }
  const optimizer = Object.keys(slots).length
    ? { step: Number(content.metadata.optimizerStep), slots }
    : undefined;
  return { params, optimizer, meta: JSON.parse(content.metadata.meta) as M };
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
