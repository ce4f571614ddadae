import type { ExperimentConfig } from '../config/ExperimentConfig';
import type { DataSplit } from '../data/Dataset';
import type { JsonSchema } from '../config/JsonSchema';
import type { Named } from '../contracts/Named';
import type { DistillTools } from './DistillTools';
import type { ProgressListener } from '../train/progress';
import type { SelectedBackend } from '../backend/selectBackend';

export interface DistillRequest {
  readonly config: ExperimentConfig;
  readonly split: DataSplit;
  /** The model, evaluator, real data, training and config validation the distiller may use. */
  readonly tools: DistillTools;
  /** The run directory to write into. */
  readonly outDir: string;
  /** Continue from the checkpoint in `outDir`. */
  readonly resume: boolean;
  readonly onProgress?: ProgressListener;
  /** The backend the caller selected (trainings the distiller runs itself reuse it). */
  readonly backend?: SelectedBackend;
}

/** What a distillation reports: its budget, its best validation result and its cost. */
export interface DistillSummary {
  readonly budget: {
    /** μ synthetic sequences of ξ positions: μ·ξ events. */
    readonly sequences: number;
    readonly length: number;
    readonly events: number;
    readonly percentOfTraining: number;
    readonly realTrainingEvents: number;
  };
  /** The outer step whose data validated best (null without an evaluator). */
  readonly bestStep: number | null;
  readonly bestMetric: number | null;
  /** The validation metric (eval.metric). */
  readonly metric: string;
  readonly outerSteps: number;
  /** Seconds of the outer loop (validations included). */
  readonly seconds: number;
  /**
   * Seconds until the initial data was ready (teacher fit or initialisation; a fresh run only):
   * the cost of the step-0 data, which a distiller keeps as `farzi-data-step0.safetensors`.
   */
  readonly initSeconds?: number;
  /** Mean seconds per outer step by phase (inner loop, real loss, reverse pass). */
  readonly secondsPerOuterStep?: {
    readonly forward: number;
    readonly real: number;
    readonly reverse: number;
  };
}

export interface DistillResult {
  /** The distilled data file. */
  readonly dataFile: string;
  readonly summary: DistillSummary;
}

/**
 * A data-distillation method (Farzi), registered by its plugin; `distill.method` chooses it and its
 * `schema` validates the rest of the `distill` section.
 */
export interface Distiller extends Named {
  readonly description: string;
  /** JSON Schema of the method's settings (the `distill` section without `method`). */
  readonly schema: JsonSchema;
  distill(request: DistillRequest): Promise<DistillResult>;
}
