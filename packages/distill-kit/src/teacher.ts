import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import type { RealBatch } from './realData';
import { logitsAt, realPositions } from './realData';
import {
  DistillRequest,
  fingerprintSplit,
  loadCheckpoint,
  Model,
  parameterMismatch,
  Params,
  ProgressListener,
  RunDirectory,
  UserError,
} from '@farzi/core';

/**
 * Soft sequences that carry a trained teacher's knowledge: position 0 is the real item; position
 * t > 0 is `(1 − mix)·onehot(item_t) + mix·p_teacher(· | items_<t)` with the teacher's next-item
 * distribution at temperature `temperature` (padding excluded). As a training target a row keeps
 * the observed item and adds what the teacher predicts; as an input it stays close to the item.
 */
export function teacherTargets(
  model: Model,
  teacher: Params,
  ids: Int32Array,
  shape: [number, number],
  mix: number,
  temperature: number,
  /** Sequences per teacher pass (large vocabularies: the [μ, ξ, |V|] intermediates add up). */
  chunk = shape[0],
): tf.Tensor3D {
  const [mu, xi] = shape;
  if (chunk < mu) {
    const parts: tf.Tensor3D[] = [];
    for (let from = 0; from < mu; from += chunk) {
      const count = Math.min(chunk, mu - from);
      const part = ids.subarray(from * xi, (from + count) * xi);
      parts.push(teacherTargets(model, teacher, part, [count, xi], mix, temperature));
    }
    const out = tf.concat(parts, 0) as tf.Tensor3D;
    tf.dispose(parts);
    return out;
  }
  const v = model.vocabSize;
  return tf.tidy(() => {
    const idt = tf.tensor2d(ids, [mu, xi], 'int32');
    const oneHot = tf.cast(tf.oneHot(idt, v), 'float32') as tf.Tensor3D;
    if (mix === 0 || xi < 2) return oneHot;
    // As the student sees them: inputs are positions 0..ξ−2, and the logits at t − 1 predict item t.
    const prefix = tf.slice(idt, [0, 0], [mu, xi - 1]) as tf.Tensor2D;
    const p = teacherDistributions(model, teacher, prefix, temperature) as tf.Tensor3D;
    const predicted = tf.concat([tf.slice(oneHot, [0, 0, 0], [mu, 1, v]), p], 1);
    return tf.add(tf.mul(oneHot, 1 - mix), tf.mul(predicted, mix)) as tf.Tensor3D;
  });
}

/**
 * The teacher's next-item distribution after every position of `inputs` [B, L] ([B, L, |V|]), or
 * after the flat positions `rows` only ([N, |V|]): softmax of its logits at `temperature`, with no
 * mass on the padding id 0.
 */
export function teacherDistributions(
  model: Model,
  teacher: Params,
  inputs: tf.Tensor2D,
  temperature: number,
  rows?: tf.Tensor1D,
): tf.Tensor {
  return tf.tidy(() => {
    const logits = rows
      ? logitsAt(model, teacher, inputs, rows)
      : model.apply(teacher, inputs, { training: false });
    const bias = new Float32Array(model.vocabSize);
    bias[0] = -1e9;
    return tf.softmax(tf.add(tf.div(logits, temperature), tf.tensor1d(bias)));
  });
}

/** A teacher's hidden states `[N, d]` at the flat positions `rows` of `inputs` (feature alignment). */
export function teacherHidden(
  model: Model,
  teacher: Params,
  inputs: tf.Tensor2D,
  rows: tf.Tensor1D,
): tf.Tensor2D {
  if (!model.hiddenStates) {
    throw new UserError(
      `distill.outerTeacher.featureWeight: the ${model.name} model exposes no hidden states to align; set it to 0.`,
    );
  }
  const states = model.hiddenStates.bind(model);
  return tf.tidy(() => {
    const hidden = states(teacher, inputs, { training: false });
    const d = hidden.shape[2];
    return tf.gather(tf.reshape(hidden, [-1, d]), rows) as tf.Tensor2D;
  });
}

/**
 * Reads a teacher's parameters from a checkpoint file or a run directory (its best checkpoint),
 * checking that they fit `model` (same parameter names and shapes) and, when the run recorded it,
 * that the teacher was trained on the same data (`data.json` fingerprint).
 */
export function loadTeacher(location: string, model: Model, fingerprint: string): Params {
  let file = location;
  if (fs.existsSync(location) && fs.statSync(location).isDirectory()) {
    file = path.join(location, 'checkpoints', 'best.safetensors');
    if (!fs.existsSync(file)) file = path.join(location, 'checkpoints', 'last.safetensors');
  }
  if (!fs.existsSync(file)) {
    throw new UserError(
      `distill.teacher.checkpoint: no checkpoint at ${location} (expected a .safetensors checkpoint or a training run directory with checkpoints/best.safetensors).`,
    );
  }
  for (const dataJson of [
    path.join(path.dirname(file), 'data.json'),
    path.join(path.dirname(file), '..', 'data.json'),
  ]) {
    if (!fs.existsSync(dataJson)) continue;
    const recorded = (JSON.parse(fs.readFileSync(dataJson, 'utf8')) as { fingerprint?: string })
      .fingerprint;
    if (recorded && recorded !== fingerprint) {
      throw new UserError(
        `distill.teacher.checkpoint: ${file} was trained on different data (fingerprint ${recorded} in ${dataJson}, the configured data has ${fingerprint}).`,
      );
    }
    break;
  }
  const params = loadCheckpoint(file).params;
  const mismatch = parameterMismatch(model, params);
  if (mismatch) {
    tf.dispose(Object.values(params));
    throw new UserError(
      `distill.teacher.checkpoint: ${file} does not fit the configured ${model.name} model: ${mismatch}` +
        ' (the teacher must be the same model with the same hyper-parameters and data).',
    );
  }
  return params;
}

/**
 * A distillation's teacher: the checkpoint given (`checkpoint`: a file or a run directory), or a
 * model trained here on the real data with the config's train section (a run directory
 * `<run>/teacher`, resumed if interrupted and reused once finished).
 */
export async function obtainTeacher(
  model: Model,
  request: DistillRequest,
  run: RunDirectory,
  emit: ProgressListener,
  checkpoint: string,
): Promise<Params> {
  const { config, split, tools } = request;
  const fingerprint = fingerprintSplit(split);
  if (checkpoint) {
    emit({ type: 'message', label: 'distill', text: `teacher: ${checkpoint}` });
    return loadTeacher(checkpoint, model, fingerprint);
  }
  const dir = run.file('teacher');
  if (!fs.existsSync(path.join(dir, 'metrics.json'))) {
    emit({
      type: 'message',
      label: 'distill',
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

/** How a real batch is aligned with a teacher: λ and its temperature, and β for the features. */
export interface TeacherAlignment {
  readonly weight: number;
  readonly temperature: number;
  readonly featureWeight: number;
}

/**
 * The real batch with the teacher's next-item distributions (λ = `weight` > 0) and hidden states
 * (β = `featureWeight` > 0) at its real positions; the batch as it is without a teacher.
 */
export function alignWithTeacher(
  model: Model,
  teacher: Params | undefined,
  real: RealBatch,
  align: TeacherAlignment,
): RealBatch {
  const { weight, temperature, featureWeight } = align;
  if (!teacher || (weight === 0 && featureWeight === 0)) return real;
  const rows = realPositions(real.targets);
  const probabilities =
    weight > 0
      ? (teacherDistributions(model, teacher, real.inputs, temperature, rows) as tf.Tensor2D)
      : undefined;
  const hidden = featureWeight > 0 ? teacherHidden(model, teacher, real.inputs, rows) : undefined;
  rows.dispose();
  return {
    ...real,
    ...(probabilities ? { teacher: { probabilities, weight } } : {}),
    ...(hidden ? { features: { hidden, weight: featureWeight } } : {}),
  };
}
