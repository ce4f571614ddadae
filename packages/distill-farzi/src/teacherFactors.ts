import * as tf from '@tensorflow/tfjs-core';
import { Model, Params, UserError } from '@farzi/core';

/**
 * The latent size F·M needs to hold a teacher's logits exactly: its hidden size, plus one for the
 * output layer's bias when it has one. Throws a user error for a model without hidden states or
 * output layer.
 */
export function teacherFactorSize(model: Model, teacher: Params): number {
  if (!model.hiddenStates || !model.outputLayer) {
    throw new UserError(
      `distill.teacher.fitStart "teacher" needs a model that exposes its hidden states and output layer (SASRec and GRU4Rec do); the ${model.name} model does not: use fitStart "random".`,
    );
  }
  const layer = model.outputLayer(teacher);
  return layer.weights.shape[layer.itemAxis === 0 ? 1 : 0] + (layer.bias ? 1 : 0);
}

/**
 * `distill.teacher.fitStart: "teacher"`: F and M that decode to the teacher's own next-item
 * distributions at temperature `teacherTemperature`, as the teacher initialisation targets them:
 * M = the teacher's output layer ([d, |V|], its bias as one more row), F[i, t] = its hidden state
 * after the real items before t, scaled by τ/τ_teacher (and τ for the bias row). So
 * softmax(F·M/τ) is exact at every position after the first; the first (a one-hot target, which no
 * finite logits hold) starts uniform and is left to the fit.
 */
export function teacherFactors(
  model: Model,
  teacher: Params,
  ids: Int32Array,
  shape: [number, number],
  temperature: number,
  teacherTemperature: number,
): { latent: tf.Tensor3D; decoder: tf.Tensor2D } {
  const size = teacherFactorSize(model, teacher);
  const hiddenStates = (model.hiddenStates as NonNullable<Model['hiddenStates']>).bind(model);
  const layer = (model.outputLayer as NonNullable<Model['outputLayer']>)(teacher);
  const [mu, xi] = shape;
  return tf.tidy(() => {
    const weights = layer.itemAxis === 0 ? tf.transpose(layer.weights) : layer.weights;
    const rows: tf.Tensor[] = [weights];
    if (layer.bias) rows.push(tf.reshape(tf.div(layer.bias, teacherTemperature), [1, -1]));
    const decoder = tf.concat(rows, 0) as tf.Tensor2D;
    const first = tf.zeros([mu, 1, size]);
    if (xi < 2) return { latent: first as tf.Tensor3D, decoder };
    const prefix = tf.slice(tf.tensor2d(ids, [mu, xi], 'int32'), [0, 0], [mu, xi - 1]);
    const hidden = tf.mul(
      hiddenStates(teacher, prefix as tf.Tensor2D, { training: false }),
      temperature / teacherTemperature,
    );
    const after = layer.bias
      ? tf.concat([hidden, tf.fill([mu, xi - 1, 1], temperature)], 2)
      : hidden;
    return { latent: tf.concat([first, after], 1) as tf.Tensor3D, decoder };
  });
}
