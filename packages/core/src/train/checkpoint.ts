import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import { UserError } from '../errors/FarziError';
import { readSafetensors, StoredTensor, writeSafetensors } from '../io/safetensors';
import type { Params } from '../model/Model';
import type { Checkpoint, CheckpointMeta } from './checkpointMeta';

export { checkResumable } from './checkpointMeta';
export type { Checkpoint, CheckpointMeta } from './checkpointMeta';

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
