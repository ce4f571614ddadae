import {
  DataSplit,
  DistillRequest,
  ExperimentConfig,
  Model,
  ProgressListener,
  RunDirectory,
} from '@farzi/core';
import { DistillConfig, farziSettings } from './distillSchema';

/** What every part of one distillation shares: its settings, data, model and run directory. */
export interface FarziContext {
  readonly request: DistillRequest;
  readonly config: ExperimentConfig;
  /** The `distill` section, typed (the one place it is cast). */
  readonly settings: DistillConfig;
  readonly split: DataSplit;
  readonly model: Model;
  readonly run: RunDirectory;
  readonly emit: ProgressListener;
  /** The real training sequences the outer loss samples. */
  readonly sequences: Int32Array[];
}

export function farziContext(
  request: DistillRequest,
  model: Model,
  run: RunDirectory,
  emit: ProgressListener,
  sequences: Int32Array[],
): FarziContext {
  const { config, split } = request;
  return {
    request,
    config,
    settings: farziSettings(config),
    split,
    model,
    run,
    emit,
    sequences,
  };
}
