import * as tf from '@tensorflow/tfjs-core';
import {
  DistillRequest,
  Model,
  Params,
  ProgressListener,
  Rng,
  RunDirectory,
  UserError,
} from '@farzi/core';
import { farziSettings } from './distillSchema';
import {
  obtainTeacher,
  selectWindows,
  sequencesPerChunk,
  teacherTargets,
  windowStats,
} from '@farzi/distill-kit';
import { fitFarzi } from './teacher';
import { teacherFactors, teacherFactorSize } from './teacherFactors';

/**
 * The teacher of `init: "teacher"` and of the outer loss's alignment: the configured checkpoint, or
 * a model trained here (see `obtainTeacher`).
 */
export function teacherParams(
  model: Model,
  request: DistillRequest,
  run: RunDirectory,
  emit: ProgressListener,
): Promise<Params> {
  return obtainTeacher(model, request, run, emit, farziSettings(request.config).teacher.checkpoint);
}

/** `init: "teacher"`: F and M fitted to real windows mixed with the teacher's predictions. */
export async function teacherInitialization(
  model: Model,
  request: DistillRequest,
  sequences: Int32Array[],
  run: RunDirectory,
  emit: ProgressListener,
): Promise<{ latent: tf.Tensor; decoder: tf.Tensor }> {
  const dc = farziSettings(request.config);
  const [mu, xi] = dc.size;
  const teacher = await teacherParams(model, request, run, emit);
  const ids = selectWindows(sequences, mu, xi, new Rng(request.config.seed), dc.teacher.windows);
  const stats = windowStats(sequences, ids, model.vocabSize);
  emit({
    type: 'message',
    label: 'farzi',
    text: `teacher windows (${dc.teacher.windows}): ${stats.items} distinct items, ${(100 * stats.headShare).toFixed(1)}% of their events on head items (real data ${(100 * stats.realHeadShare).toFixed(1)}%)`,
  });
  // Large vocabularies: the teacher pass and the fit work on chunks of sequences, sized as the
  // synthetic data's chunks (distill.sequenceChunk).
  const chunk = sequencesPerChunk(mu, xi, model.vocabSize, dc.sequenceChunk);
  const targets = teacherTargets(
    model,
    teacher,
    ids,
    [mu, xi],
    dc.teacher.mix,
    dc.teacher.temperature,
    chunk,
  );
  let start: { latent: tf.Tensor3D; decoder: tf.Tensor2D } | undefined;
  try {
    if (dc.teacher.fitStart === 'teacher') {
      const size = teacherFactorSize(model, teacher);
      if (size !== dc.latentDim) {
        throw new UserError(
          `distill.latentDim must be ${size} (the ${model.name} teacher's hidden size, plus one if its output layer has a bias) with distill.teacher.fitStart "teacher", got ${dc.latentDim}.`,
        );
      }
      start = teacherFactors(model, teacher, ids, [mu, xi], dc.temperature, dc.teacher.temperature);
    }
  } catch (e) {
    targets.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(teacher));
  }
  try {
    const fit = fitFarzi(targets, dc.latentDim, dc.temperature, {
      steps: dc.teacher.fitSteps,
      learningRate: dc.teacher.fitLearningRate,
      initStd: dc.initStd,
      seed: request.config.seed,
      chunk,
      start,
    });
    emit({
      type: 'message',
      label: 'farzi',
      text: `teacher sequences fitted into F·M (d ${dc.latentDim}): cross-entropy ${fit.loss.toFixed(4)} vs target entropy ${fit.targetEntropy.toFixed(4)} (KL ${(fit.loss - fit.targetEntropy).toFixed(4)} nats/position)${start ? ", from the teacher's own factors" : ''}`,
    });
    return { latent: fit.latent, decoder: fit.decoder };
  } finally {
    targets.dispose();
  }
}
