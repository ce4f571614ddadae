import * as tf from '@tensorflow/tfjs-core';
import { Params, saveCheckpoint } from '@farzi/core';

/** A parameters-only checkpoint (a starting point for inner loops) after `epoch` epochs. */
export function saveParams(file: string, params: Params, epoch: number): void {
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

export function cloneParams(params: Params): Params {
  const copy: Params = {};
  for (const [n, t] of Object.entries(params)) copy[n] = tf.clone(t);
  return copy;
}
