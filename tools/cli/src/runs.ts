import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  createModel,
  DataSplit,
  ExperimentConfig,
  fingerprintSplit,
  loadSplit,
  readJsonFile,
  Model,
  Params,
  parameterMismatch,
  RunDirectory,
  SelectedBackend,
  selectBackend,
  UserError,
  validateConfig,
} from '@farzi/core';
import { appServices } from './plugins';

export interface LoadedRun {
  readonly dir: string;
  readonly config: ExperimentConfig;
  readonly split: DataSplit;
  readonly model: Model;
  readonly params: Params;
  readonly fingerprint: string;
  dispose(): void;
}

const splitCache = new Map<string, DataSplit>();
let backendChosen: SelectedBackend | undefined;

/** Loads a finished training run: its config, data (checked against the stored fingerprint), model and best parameters. */
export async function loadRun(dir: string): Promise<LoadedRun> {
  const configFile = path.join(dir, 'config.json');
  if (!fs.existsSync(configFile))
    throw new UserError(`${dir} is not a run directory (no config.json).`);
  const services = appServices();
  const config = validateConfig(readJsonFile(configFile), services, configFile);
  backendChosen ??= await selectBackend(config.backend);
  const key = JSON.stringify(config.data);
  const split = splitCache.get(key) ?? loadSplit(config.data, services.adapters);
  splitCache.set(key, split);
  const fingerprint = fingerprintSplit(split);
  const dataFile = path.join(dir, 'data.json');
  if (fs.existsSync(dataFile)) {
    const stored = readJsonFile<{ fingerprint?: string }>(dataFile);
    if (stored.fingerprint && stored.fingerprint !== fingerprint) {
      throw new UserError(
        `${dir} was trained on different data (fingerprint ${stored.fingerprint}) than ${config.data.path} holds now (${fingerprint}).`,
      );
    }
  }
  const run = new RunDirectory(dir);
  const checkpoint = run.loadBest() ?? run.loadLast();
  if (!checkpoint)
    throw new UserError(
      `${dir} holds no checkpoint (checkpoints/best.safetensors or last.safetensors).`,
    );
  const model = createModel(config, split, services);
  const mismatch = parameterMismatch(model, checkpoint.params);
  if (mismatch) {
    tf.dispose(Object.values(checkpoint.params));
    const held = checkpoint.meta.model
      ? `a ${String(checkpoint.meta.model)} checkpoint`
      : 'a checkpoint';
    const names = Object.keys(checkpoint.params);
    throw new UserError(
      `${dir} holds ${held} (parameters ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}) that does not fit ` +
        `the ${model.name} model of its config.json: ${mismatch}. Was a checkpoint copied in from another run?`,
    );
  }
  return {
    dir,
    config,
    split,
    model,
    params: checkpoint.params,
    fingerprint,
    dispose: () => tf.dispose(Object.values(checkpoint.params)),
  };
}
