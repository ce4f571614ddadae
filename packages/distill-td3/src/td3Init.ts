import * as tf from '@tensorflow/tfjs-core';
import { adam, disposeState, OptimizerState, Params, Rng } from '@farzi/core';
import { selectWindows, sequencesPerChunk, teacherTargets } from '@farzi/distill-kit';
import type { Td3Context } from './td3Run';
import { decodeTucker, FACTOR_NAMES, TuckerFactors } from './tucker';

/**
 * `init: "teacher"`: the factors fitted to real windows mixed with the teacher's next-item
 * distributions (the kit's `teacherTargets`, as Farzi fits F·M): position t of synthetic sequence
 * i starts as (1 − mix)·onehot(item) + mix·p_teacher(· | items before it). Adam on the cross-entropy
 * between those targets and the decoded factors, `teacher.fitSteps` steps, from `start` (E possibly
 * the teacher's item vectors), which is disposed.
 */
export function fitToTeacher(
  ctx: Td3Context,
  teacher: Params,
  start: TuckerFactors,
): { factors: TuckerFactors; loss: number; entropy: number } {
  const s = ctx.settings;
  const { model } = ctx;
  const [mu, xi] = s.size;
  const ids = selectWindows(
    ctx.sequences,
    mu,
    xi,
    new Rng(ctx.config.seed ^ 0x71d3),
    s.teacher.windows,
  );
  const chunk = sequencesPerChunk(mu, xi, model.vocabSize);
  const targets = teacherTargets(
    model,
    teacher,
    ids,
    [mu, xi],
    s.teacher.mix,
    s.teacher.temperature,
    chunk,
  );
  const entropy = tf.tidy(() => crossEntropy(targets, targets).dataSync()[0]);
  const optimizer = adam(
    { ...ctx.config.train.optimizer, name: 'adam', weightDecay: 0, clipNorm: 0, epsRoot: 0 },
    s.teacher.fitLearningRate,
  );
  const names = [...FACTOR_NAMES];
  let params = start as unknown as Params;
  let state: OptimizerState = optimizer.init(params);
  let loss = Number.NaN;
  for (let step = 0; step < s.teacher.fitSteps; step++) {
    const next = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((...values: tf.Tensor[]) => {
        const p = Object.fromEntries(
          names.map((n, k) => [n, values[k]]),
        ) as unknown as TuckerFactors;
        return crossEntropy(targets, decodeTucker(p, s.temperature));
      })(names.map((n) => params[n]));
      const r = optimizer.step(
        params,
        Object.fromEntries(names.map((n, k) => [n, grads[k]])),
        state,
      );
      return { value, params: r.params, m: r.state.slots.m, v: r.state.slots.v, t: r.state.step };
    });
    loss = next.value.dataSync()[0];
    next.value.dispose();
    tf.dispose(Object.values(params));
    disposeState(state);
    params = next.params;
    state = { step: next.t, slots: { m: next.m, v: next.v } };
  }
  targets.dispose();
  disposeState(state);
  return { factors: params as unknown as TuckerFactors, loss, entropy };
}

/** Mean over positions of −Σ_v p[v]·log q[v] (q a distribution; padding has no mass in either). */
function crossEntropy(p: tf.Tensor, q: tf.Tensor): tf.Scalar {
  return tf.mean(tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(q, 1e-30))), -1))) as tf.Scalar;
}
