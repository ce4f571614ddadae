import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import {
  DistillRequest,
  fingerprintSplit,
  Model,
  Params,
  ProgressListener,
  Rng,
  RunDirectory,
} from '@farzi/core';
import { farziSettings } from './distillSchema';
import { loadTeacher, realWindows, sequencesPerChunk, teacherTargets } from '@farzi/distill-kit';
import { fitFarzi } from './teacher';

/**
 * The teacher of `init: "teacher"`: the configured checkpoint, or a model trained here on the real
 * data with the config's train section (a run directory `<run>/teacher`, resumed if interrupted and
 * reused once finished).
 */
export async function teacherParams(
  model: Model,
  request: DistillRequest,
  run: RunDirectory,
  emit: ProgressListener,
): Promise<Params> {
  const { config, split, tools } = request;
  const dc = farziSettings(config);
  const fingerprint = fingerprintSplit(split);
  if (dc.teacher.checkpoint) {
    emit({ type: 'message', label: 'farzi', text: `teacher: ${dc.teacher.checkpoint}` });
    return loadTeacher(dc.teacher.checkpoint, model, fingerprint);
  }
  const dir = run.file('teacher');
  if (!fs.existsSync(path.join(dir, 'metrics.json'))) {
    emit({
      type: 'message',
      label: 'farzi',
      text: `training the teacher on the real data (train section: ${config.train.epochs} epochs, lr ${config.train.learningRate}) in ${dir}`,
    });
    const resume = fs.existsSync(path.join(dir, 'checkpoints', 'last.safetensors'));
    // Killed before the teacher's first epoch ended: nothing to keep.
    if (!resume) fs.rmSync(dir, { recursive: true, force: true });
    await tools.train(
      { ...config, train: { ...config.train, source: { name: 'real' } } },
      {
        outDir: dir,
        resume,
        onProgress: emit,
        split,
        backend: request.backend,
      },
    );
  }
  return loadTeacher(dir, model, fingerprint);
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
  const ids = realWindows(sequences, mu, xi, new Rng(request.config.seed));
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
  tf.dispose(Object.values(teacher));
  try {
    const fit = fitFarzi(targets, dc.latentDim, dc.temperature, {
      steps: dc.teacher.fitSteps,
      learningRate: dc.teacher.fitLearningRate,
      initStd: dc.initStd,
      seed: request.config.seed,
      chunk,
    });
    emit({
      type: 'message',
      label: 'farzi',
      text: `teacher sequences fitted into F·M (d ${dc.latentDim}): cross-entropy ${fit.loss.toFixed(4)} vs target entropy ${fit.targetEntropy.toFixed(4)} (KL ${(fit.loss - fit.targetEntropy).toFixed(4)} nats/position)`,
    });
    return { latent: fit.latent, decoder: fit.decoder };
  } finally {
    targets.dispose();
  }
}
