import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../ops/losses';
import { scoreAllItems } from '../ops/outputLayer';
import { nextItemLoss } from '../train/outputLoss';
import type { Model, Params } from './Model';

/*
 * Numerical checks of the model contract, shared by every model package's tests (and the model
 * generator's template). Each returns a number the test compares with a tolerance.
 */

/** Largest |logits(ids) − logits(oneHot(ids))|: soft one-hot input must equal id input. */
export function softVersusIdDifference(model: Model, params: Params, ids: tf.Tensor2D): number {
  return tf.tidy(() => {
    const hard = model.apply(params, ids, { training: false });
    const soft = model.apply(params, tf.cast(tf.oneHot(ids, model.vocabSize), 'float32'), {
      training: false,
    });
    return tf.max(tf.abs(tf.sub(hard, soft))).dataSync()[0];
  });
}

/**
 * Largest change of the logits at positions < t when the token at position t changes: causal models
 * must give 0.
 */
export function causalityViolation(
  model: Model,
  params: Params,
  ids: tf.Tensor2D,
  t: number,
): number {
  return tf.tidy(() => {
    const values = ids.arraySync() as number[][];
    const changed = values.map((row) =>
      row.map((v, i) => (i === t ? (v % (model.vocabSize - 1)) + 1 : v)),
    );
    const a = model.apply(params, ids, { training: false });
    const b = model.apply(params, tf.tensor2d(changed, undefined, 'int32'), { training: false });
    if (t === 0) return 0;
    const [batch, , v] = a.shape;
    const before = (x: tf.Tensor) => tf.slice(x, [0, 0, 0], [batch, t, v]);
    return tf.max(tf.abs(tf.sub(before(a), before(b)))).dataSync()[0];
  });
}

/** Total number of scalars in a parameter map. */
export function countParameters(params: Params): number {
  return Object.values(params).reduce((n, t) => n + t.size, 0);
}

/**
 * Relative error of the Hessian-vector product of the training loss (double backward) against
 * central finite differences of the gradient, along a random direction. Dropout must be off.
 */
export function hessianVectorProductError(
  model: Model,
  params: Params,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  seed = 1,
  r = 1e-3,
): number {
  return tf.tidy(() => {
    const names = Object.keys(params);
    const loss = (...ts: tf.Tensor[]): tf.Scalar => {
      const p: Params = {};
      names.forEach((n, i) => (p[n] = ts[i]));
      return crossEntropy(model.apply(p, inputs, { training: false }), targets);
    };
    const grad = (ts: tf.Tensor[]) => tf.grads(loss)(ts);
    const x0 = names.map((n) => params[n]);
    const v = x0.map((x, i) => tf.randomNormal(x.shape, 0, 1, 'float32', seed + i));
    const hvp = tf.grads(
      (...ts: tf.Tensor[]) => tf.addN(grad(ts).map((g, i) => tf.sum(tf.mul(g, v[i])))) as tf.Scalar,
    )(x0);
    const plus = grad(x0.map((x, i) => tf.add(x, tf.mul(v[i], r))));
    const minus = grad(x0.map((x, i) => tf.sub(x, tf.mul(v[i], r))));
    const fd = plus.map((p, i) => tf.div(tf.sub(p, minus[i]), 2 * r));
    const flat = (ts: tf.Tensor[]) => tf.concat(ts.map((t) => tf.reshape(t, [-1])));
    const diff = tf.norm(tf.sub(flat(hvp), flat(fd))).dataSync()[0];
    return diff / Math.max(tf.norm(flat(fd)).dataSync()[0], 1e-12);
  });
}

/**
 * For a model that exposes `hiddenStates` and `outputLayer`: the largest relative difference
 * between the target-position loss and its gradients (`nextItemLoss`, logits only where a target
 * exists) and the dense path (`crossEntropy` of `apply`'s `[B, L, V]` logits), with dropout on
 * (same seed); and between the states' last-position scores and `apply`'s last row. 0 = identical.
 */
export function outputLayerPathDifference(
  model: Model,
  params: Params,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  seed = 5,
): { loss: number; gradients: number; lastScores: number } {
  if (!model.hiddenStates || !model.outputLayer) {
    throw new Error(`${model.name} does not expose hiddenStates and outputLayer`);
  }
  return tf.tidy(() => {
    const names = Object.keys(params);
    const options = { training: true, seed };
    const lossOf =
      (fast: boolean) =>
      (...ts: tf.Tensor[]): tf.Scalar => {
        const p: Params = {};
        names.forEach((n, i) => (p[n] = ts[i]));
        return fast
          ? nextItemLoss(model, p, inputs, targets, options)
          : crossEntropy(model.apply(p, inputs, options), targets);
      };
    const x = names.map((n) => params[n]);
    const dense = tf.valueAndGrads(lossOf(false))(x);
    const fast = tf.valueAndGrads(lossOf(true))(x);
    const rel = (a: tf.Tensor, b: tf.Tensor) =>
      tf.norm(tf.sub(a, b)).dataSync()[0] / Math.max(tf.norm(a).dataSync()[0], 1e-12);
    const flat = (ts: tf.Tensor[]) => tf.concat(ts.map((t) => tf.reshape(t, [-1])));
    const logits = model.apply(params, inputs, { training: false });
    const [b, l, v] = logits.shape;
    const states = model.hiddenStates!(params, inputs, { training: false });
    const d = states.shape[2];
    const lastFast = scoreAllItems(
      model.outputLayer!(params),
      tf.reshape(tf.slice(states, [0, l - 1, 0], [b, 1, d]), [b, d]) as tf.Tensor2D,
    );
    const lastDense = tf.reshape(tf.slice(logits, [0, l - 1, 0], [b, 1, v]), [b, v]);
    return {
      loss: rel(dense.value, fast.value),
      gradients: rel(flat(dense.grads), flat(fast.grads)),
      lastScores: rel(lastDense, lastFast),
    };
  });
}

/**
 * Largest |Δlogits| at real positions between ids `[B, l]` and the same ids with `extra` more
 * columns of left padding: a model that declares `leftPaddingInvariant` must give 0 (up to float
 * rounding), since the trainer cuts batches to their longest sequence.
 */
export function leftPaddingDifference(
  model: Model,
  params: Params,
  ids: tf.Tensor2D,
  extra: number,
): number {
  return tf.tidy(() => {
    const [b, l] = ids.shape;
    const padded = tf.concat([tf.zeros([b, extra], 'int32'), ids], 1);
    const short = model.apply(params, ids, { training: false });
    const long = model.apply(params, padded, { training: false });
    const tail = tf.slice(long, [0, extra, 0], [b, l, model.vocabSize]);
    const real = tf.expandDims(tf.cast(tf.notEqual(ids, 0), 'float32'), -1);
    return tf.max(tf.abs(tf.mul(tf.sub(short, tail), real))).dataSync()[0];
  });
}
