import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../config/ExperimentConfig';
import type { Params } from '../model/Model';
import { clipByGlobalNorm, Optimizer, zerosLikeParams } from './Optimizer';

/**
 * SGD with (heavy-ball) momentum, as `tf.train.momentum`: u = μ u + g; w = w − α (u + λ w).
 */
export function sgd(config: OptimizerConfig, learningRate: number): Optimizer {
  return {
    config,
    learningRate,
    init: (params) => ({ step: 0, slots: { velocity: zerosLikeParams(params) } }),
    step(params, rawGrads, state) {
      const grads = clipByGlobalNorm(rawGrads, config.clipNorm);
      const next: Params = {};
      const velocity: Params = {};
      for (const name of Object.keys(params)) {
        const g = grads[name];
        if (!g) throw new Error(`no gradient for parameter "${name}"`);
        const u =
          config.momentum > 0 ? tf.add(tf.mul(state.slots.velocity[name], config.momentum), g) : g;
        velocity[name] = config.momentum > 0 ? u : tf.zerosLike(g);
        let update = u;
        if (config.weightDecay > 0)
          update = tf.add(update, tf.mul(params[name], config.weightDecay));
        next[name] = tf.sub(params[name], tf.mul(update, learningRate));
      }
      return { params: next, state: { step: state.step + 1, slots: { velocity } } };
    },
  };
}
