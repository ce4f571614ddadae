import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@farzi/core';
import type { DistillConfig } from './distillSchema';
import { realWindows } from '@farzi/distill-kit';

/**
 * Initial Farzi Data. "random": F, M ~ N(0, initStd²). "real": M holds a random unit-norm code per
 * item, and F[i, t] = initScale·τ·M[:, item], so each synthetic position starts as a soft copy of a
 * real user's item (the pointed-at item's logit is initScale, others initScale·cos ≈ 0).
 */
export function initializeFarzi(
  config: DistillConfig,
  vocabSize: number,
  sequences: readonly Int32Array[],
  seed: number,
): { latent: tf.Tensor3D; decoder: tf.Tensor2D } {
  const [mu, xi] = config.size;
  const d = config.latentDim;
  const rng = new Rng(seed);
  if (config.init === 'teacher') {
    throw new Error('init "teacher" needs a trained teacher: see fitFarzi and teacherTargets');
  }
  if (config.init === 'random') {
    return {
      latent: tf.randomNormal([mu, xi, d], 0, config.initStd, 'float32', rng.seed()) as tf.Tensor3D,
      decoder: tf.randomNormal(
        [d, vocabSize],
        0,
        config.initStd,
        'float32',
        rng.seed(),
      ) as tf.Tensor2D,
    };
  }
  const codes = new Float32Array(d * vocabSize);
  for (let j = 0; j < vocabSize; j++) {
    let norm = 0;
    const column = new Float32Array(d);
    for (let k = 0; k < d; k++) {
      column[k] = rng.normal();
      norm += column[k] * column[k];
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) codes[k * vocabSize + j] = column[k] / norm;
  }
  const ids = realWindows(sequences, mu, xi, rng);
  const latent = new Float32Array(mu * xi * d);
  const scale = config.initScale * config.temperature;
  for (let p = 0; p < mu * xi; p++) {
    for (let k = 0; k < d; k++) latent[p * d + k] = scale * codes[k * vocabSize + ids[p]];
  }
  return { latent: tf.tensor3d(latent, [mu, xi, d]), decoder: tf.tensor2d(codes, [d, vocabSize]) };
}
