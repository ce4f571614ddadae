import {
  createOptimizer,
  DataSplit,
  EvaluationResult,
  ExperimentConfig,
  Model,
  Optimizer,
  optimizerConfig,
  Params,
  Evaluator,
} from '@farzi/core';
import {
  evaluateStudent,
  StudentRecipe,
  studentRecipeOf,
  trainStudent as kitTrainStudent,
} from '@farzi/distill-kit';
import type { DistillConfig } from './distillSchema';
import type { FarziData } from './farziData';
import { farziSource } from './farziSource';

/**
 * How a student is trained on Farzi Data: exactly as the inner loop ("inner"), or with the
 * configured epochs, learning rate and batch size, train.optimizer and dropout ("custom").
 */
export function studentRecipe(
  config: ExperimentConfig,
  dc: DistillConfig,
  schedule?: readonly number[],
): StudentRecipe {
  if (dc.student.recipe === 'inner') {
    const innerConfig = optimizerConfig({ name: 'adam', clipNorm: 0, ...dc.innerOptimizer });
    const fixed = createOptimizer(innerConfig, dc.innerLearningRate);
    // A learned schedule: step t uses α_t (the last one beyond T), as the inner loop did.
    const optimizer: Optimizer = schedule?.length
      ? {
          ...fixed,
          step: (params, grads, state) =>
            createOptimizer(innerConfig, schedule[Math.min(state.step, schedule.length - 1)]).step(
              params,
              grads,
              state,
            ),
        }
      : fixed;
    return {
      optimizer,
      epochs: dc.innerSteps,
      batchSize: dc.size[0],
      dropout: false,
    };
  }
  return studentRecipeOf(config, dc.student, dc.size[0]);
}

/**
 * Trains a fresh student on Farzi Data with the configured student recipe and returns its final
 * parameters; `onEpochEnd` sees the parameters after every epoch (do not dispose them).
 */
export async function trainStudent(
  model: Model,
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature' | 'support'>,
  config: ExperimentConfig,
  dc: DistillConfig,
  schedule?: readonly number[],
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<Params> {
  const source = studentSource(data, config);
  try {
    const recipe = studentRecipe(config, dc, schedule);
    return await kitTrainStudent(model, source, config.seed, recipe, onEpochEnd);
  } finally {
    source.dispose?.();
  }
}

/** A fresh student's validation (or test) result on Farzi Data (undefined without an evaluator). */
export async function evaluateFarzi(
  model: Model,
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature' | 'support'>,
  config: ExperimentConfig,
  dc: DistillConfig,
  split: DataSplit,
  evaluator: Evaluator | undefined,
  part: 'valid' | 'test' = 'valid',
  schedule?: readonly number[],
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<EvaluationResult | undefined> {
  if (!evaluator) return undefined;
  const source = studentSource(data, config);
  try {
    return await evaluateStudent(
      model,
      source,
      studentRecipe(config, dc, schedule),
      { split, evaluator, config: config.eval, seed: config.seed },
      part,
      onEpochEnd,
    );
  } finally {
    source.dispose?.();
  }
}

function studentSource(
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature' | 'support'>,
  config: ExperimentConfig,
) {
  return farziSource(
    { ...data, vocabulary: [], sourceFingerprint: '', info: {} },
    config.data.maxLength,
  );
}
