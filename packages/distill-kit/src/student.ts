import * as tf from '@tensorflow/tfjs-core';
import {
  createOptimizer,
  DataSplit,
  ExperimentConfig,
  EvaluationResult,
  EvalConfig,
  Evaluator,
  Model,
  Params,
  Trainer,
  TrainerOptions,
  TrainingSource,
} from '@farzi/core';

/** How a student trains on distilled data: the trainer settings a method's recipe chooses. */
export type StudentRecipe = Pick<TrainerOptions, 'optimizer' | 'epochs' | 'batchSize' | 'dropout'>;

/** The `distill.student` settings every method's validation student is trained with. */
export interface StudentSettings {
  readonly epochs: number;
  readonly learningRate: number;
  /** 0 = all μ synthetic sequences in one batch. */
  readonly batchSize: number;
}

/**
 * The validation student's recipe of every distillation method (the one recipe; Farzi's "inner"
 * recipe is the inner loop itself): `distill.student`'s epochs, learning rate and batch size (0 =
 * all μ sequences), with the config's `train.optimizer` and the model's dropout. Students trained
 * outside a distillation (`farzi train` on the data, the benchmarks, the demo) use core's
 * `smallDataRecipe`.
 */
export function studentRecipeOf(
  config: ExperimentConfig,
  student: StudentSettings,
  sequences: number,
): StudentRecipe {
  return {
    optimizer: createOptimizer(config.train.optimizer, student.learningRate),
    epochs: student.epochs,
    batchSize: student.batchSize || sequences,
    dropout: true,
  };
}

/**
 * Trains a fresh student on a source of distilled data with a recipe and returns its final
 * parameters; `onEpochEnd` sees the parameters after every epoch (do not dispose them). The source
 * stays the caller's.
 */
export async function trainStudent(
  model: Model,
  source: TrainingSource,
  seed: number,
  recipe: StudentRecipe,
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<Params> {
  const result = await new Trainer({ model, source, seed, ...recipe, onEpochEnd }).run();
  return result.params;
}

/**
 * The validation (or test) result of a fresh student trained on the data: how a distillation
 * judges its data at every evaluation (undefined without an evaluator).
 */
export async function evaluateStudent(
  model: Model,
  source: TrainingSource,
  recipe: StudentRecipe,
  evaluation: {
    split: DataSplit;
    evaluator: Evaluator | undefined;
    config: EvalConfig;
    seed: number;
  },
  part: 'valid' | 'test' = 'valid',
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<EvaluationResult | undefined> {
  const { split, evaluator, config, seed } = evaluation;
  if (!evaluator) return undefined;
  const params = await trainStudent(model, source, seed, recipe, onEpochEnd);
  try {
    return await evaluator.evaluate({ model, params, split, part, config, seed });
  } finally {
    tf.dispose(Object.values(params));
  }
}
