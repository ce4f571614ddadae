import type { SelectedBackend } from '../backend/selectBackend';
import type { DataSplit } from '../data/Dataset';
import type { EvaluationResult } from '../eval/Evaluator';
import type { describeModel } from '../model/Model';
import type { ProgressListener } from './progress';

/** How `runTraining` runs (a leaf module: the distillation contract names these types). */
export interface RunTrainingOptions {
  /** Run directory (created; must not hold a run unless resuming). */
  readonly outDir: string;
  readonly resume?: boolean;
  readonly onProgress?: ProgressListener;
  /** A split already loaded (skips reading the data again). */
  readonly split?: DataSplit;
  /** Skip backend selection (the caller already chose one). */
  readonly backend?: SelectedBackend;
}

export interface TrainingReport {
  readonly runDir: string;
  readonly backend: string;
  readonly model: ReturnType<typeof describeModel>;
  readonly source: { description: string; sequences: number; events: number };
  readonly bestEpoch: number | null;
  readonly epochsRun: number;
  readonly stoppedEarly: boolean;
  readonly trainSeconds: number;
  readonly valid?: EvaluationResult;
  readonly test?: EvaluationResult;
}
