import type { ExperimentConfig } from '../config/ExperimentConfig';
import type { DataSplit } from '../data/Dataset';
import type { Named } from '../di/Registry';
import type { Services } from '../di/Services';
import type { ProgressListener } from '../train/progress';
import type { SelectedBackend } from '../backend/selectBackend';

export interface DistillRequest {
  readonly config: ExperimentConfig;
  readonly split: DataSplit;
  readonly services: Services;
  /** The run directory to write into. */
  readonly outDir: string;
  /** Continue from the checkpoint in `outDir`. */
  readonly resume: boolean;
  readonly onProgress?: ProgressListener;
  /** The backend the caller selected (trainings the distiller runs itself reuse it). */
  readonly backend?: SelectedBackend;
}

export interface DistillResult {
  /** The distilled data file. */
  readonly dataFile: string;
  /** Summary figures for the CLI (budget, best validation metric, time). */
  readonly summary: Record<string, unknown>;
}

/** A data-distillation method (Farzi), registered by its plugin. */
export interface Distiller extends Named {
  readonly description: string;
  distill(request: DistillRequest): Promise<DistillResult>;
}
