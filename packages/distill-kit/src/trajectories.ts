import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import {
  createOptimizer,
  DataSplit,
  ExperimentConfig,
  loadCheckpoint,
  Model,
  Params,
  ProgressListener,
  RunDirectory,
  DistillTools,
  Trainer,
  UserError,
  writeJsonAtomic,
} from '@farzi/core';
import { cloneParams, saveParams } from './checkpoints';

/** Pretrained trajectories: K models trained on the real data, checkpoints kept along each. */
export interface TrajectorySettings {
  /** K: models trained on the real data. */
  readonly count: number;
  readonly epochs: number;
  /** Keep a checkpoint every N epochs. */
  readonly every: number;
  /** Also keep the untrained initialisation. */
  readonly includeInitial: boolean;
  readonly learningRate: number;
  readonly batchSize: number;
}

/** Trains K models on the real data and keeps checkpoints along each run (the paper's Ω). */
export async function pretrainedTrajectories(
  model: Model,
  config: ExperimentConfig,
  t: TrajectorySettings,
  split: DataSplit,
  tools: DistillTools,
  run: RunDirectory,
  emit: ProgressListener,
): Promise<Params[]> {
  const dir = run.file('trajectories');
  const manifest = path.join(dir, 'manifest.json');
  const existing = fs.existsSync(manifest)
    ? (JSON.parse(fs.readFileSync(manifest, 'utf8')) as string[])
    : [];
  if (existing.length > 0) {
    const files = existing;
    emit({
      type: 'message',
      label: 'distill',
      text: `reusing ${files.length} trajectory checkpoints from ${dir}`,
    });
    return files.map((f) => loadCheckpoint(path.join(dir, f)).params);
  }
  fs.mkdirSync(dir, { recursive: true });
  const source = tools.realSource(config, split);
  const kept: Params[] = [];
  const files: string[] = [];
  const keep = (k: number, epoch: number, params: Params) => {
    const file = `trajectory${k}-epoch${epoch}.safetensors`;
    saveParams(path.join(dir, file), params, epoch);
    files.push(file);
    kept.push(cloneParams(params));
  };
  for (let k = 0; k < t.count; k++) {
    const seed = config.seed * 7919 + k + 1;
    if (t.includeInitial) {
      const init = model.init(seed);
      keep(k, 0, init);
      tf.dispose(Object.values(init));
    }
    const result = await new Trainer({
      model,
      source,
      optimizer: createOptimizer(config.train.optimizer, t.learningRate),
      epochs: t.epochs,
      batchSize: t.batchSize,
      seed,
      label: `trajectory ${k + 1}/${t.count}`,
      onProgress: emit,
      onEpochEnd: (epoch, params) => {
        if (epoch % t.every === 0) keep(k, epoch, params);
      },
    }).run();
    tf.dispose(Object.values(result.params));
  }
  source.dispose?.();
  if (kept.length === 0) {
    throw new UserError(
      `distill.trajectories: no checkpoint was kept (epochs ${t.epochs}, every ${t.every}${t.includeInitial ? '' : ', includeInitial false'}); ` +
        'set trajectories.every to at most trajectories.epochs, or distill.innerInit to "random".',
    );
  }
  writeJsonAtomic(manifest, files);
  return kept;
}
