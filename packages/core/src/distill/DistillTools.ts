import type { ExperimentConfig } from '../config/ExperimentConfig';
import type { DataSplit } from '../data/Dataset';
import type { Evaluator } from '../eval/Evaluator';
import type { Model } from '../model/Model';
import type { RunTrainingOptions, TrainingReport } from '../train/TrainingRun';
import type { TrainingSource } from '../train/TrainingSource';

/**
 * What a distiller uses of the application, and nothing else: the configured model, evaluator and
 * real training data, the training run of `farzi train` (for teachers and trajectories) and config
 * validation (for resuming). `distillTools(services)` builds it from the registries; a test may
 * hand a distiller any object of this shape.
 */
export interface DistillTools {
  /** The model named in `config.model`, sized for the split's vocabulary. */
  createModel(config: ExperimentConfig, split: DataSplit): Model;
  /** The evaluator named in `config.eval.evaluator`; undefined when no evaluator is registered. */
  evaluator(config: ExperimentConfig): Evaluator | undefined;
  /** The split's real training data as a training source. */
  realSource(config: ExperimentConfig, split: DataSplit): TrainingSource;
  /** A training run as `farzi train` makes it (run directory, checkpoints, metrics.json). */
  train(config: ExperimentConfig, options: RunTrainingOptions): Promise<TrainingReport>;
  /** Validates a saved config (e.g. a run's config.json on resume); `origin` names the file. */
  validateConfig(raw: Record<string, unknown>, origin: string): ExperimentConfig;
}
