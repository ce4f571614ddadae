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

/** A `train.source` value: the training source that reads a distilled data file, and its options. */
export interface SourceSpec {
  readonly name: string;
  readonly [option: string]: unknown;
}

/**
 * What a distillation reports: its budget, its best validation result and its cost. Figures of the
 * method's own (e.g. seconds per phase of a bi-level step) are in `details`, typed by the method.
 */
export interface DistillSummary<Details extends object = object> {
  /** The distiller (distill.method). */
  readonly method: string;
  readonly budget: {
    /** μ synthetic sequences of ξ positions: μ·ξ events. */
    readonly sequences: number;
    readonly length: number;
    readonly events: number;
    readonly percentOfTraining: number;
    readonly realTrainingEvents: number;
  };
  /** The step whose data validated best (null without an evaluator). */
  readonly bestStep: number | null;
  readonly bestMetric: number | null;
  /** The validation metric (eval.metric). */
  readonly metric: string;
  /** Optimisation steps the method was asked for (for a bi-level method: outer steps). */
  readonly steps: number;
  /** Seconds of the optimisation (validations included). */
  readonly seconds: number;
  /**
   * Seconds until the initial data was ready (a teacher fit or an initialisation; a fresh run
   * only): the cost of the initial data, which `DistillResult.initialSource` reads.
   */
  readonly initSeconds?: number;
  /** The method's own figures. */
  readonly details?: Details;
}

export interface DistillResult<Details extends object = object> {
  /** The distilled data file. */
  readonly dataFile: string;
  /** How to train on it: the `train.source` that reads `dataFile` (an absolute path in it). */
  readonly source: SourceSpec;
  /** The data before any optimisation step, when the method keeps it (same form as `source`). */
  readonly initialSource?: SourceSpec;
  readonly summary: DistillSummary<Details>;
}

/** What a distillation run directory's `summary.json` holds (every method writes it so). */
export interface DistillSummaryFile extends DistillSummary {
  readonly source: SourceSpec;
  readonly initialSource?: SourceSpec;
  /** Per-step records of the method (validation metric by step, for the report). */
  readonly history?: unknown[];
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
