import * as tf from '@tensorflow/tfjs';
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
  Trainer,
  TrainerOptions,
} from '@farzi/core';
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
): Pick<TrainerOptions, 'optimizer' | 'epochs' | 'batchSize' | 'dropout'> {
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
  return {
    optimizer: createOptimizer(config.train.optimizer, dc.student.learningRate),
    epochs: dc.student.epochs,
    batchSize: dc.student.batchSize || dc.size[0],
    dropout: true,
  };
}

/**
 * Trains a fresh student on Farzi Data with the configured student recipe and returns its final
 * parameters; `onEpochEnd` sees the parameters after every epoch (do not dispose them).
 */
export async function trainStudent(
  model: Model,
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature'>,
  config: ExperimentConfig,
  dc: DistillConfig,
  schedule?: readonly number[],
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<Params> {
  const source = farziSource(
    { ...data, vocabulary: [], sourceFingerprint: '', info: {} },
    config.data.maxLength,
  );
  try {
    const result = await new Trainer({
      model,
      source,
      seed: config.seed,
      ...studentRecipe(config, dc, schedule),
      onEpochEnd,
    }).run();
    return result.params;
  } finally {
    source.dispose?.();
  }
}

export async function evaluateFarzi(
  model: Model,
  data: Pick<FarziData, 'latent' | 'decoder' | 'temperature'>,
  config: ExperimentConfig,
  dc: DistillConfig,
  split: DataSplit,
  evaluator: Evaluator | undefined,
  part: 'valid' | 'test' = 'valid',
  schedule?: readonly number[],
  onEpochEnd?: (epoch: number, params: Params) => void,
): Promise<EvaluationResult | undefined> {
  if (!evaluator) return undefined;
  const params = await trainStudent(model, data, config, dc, schedule, onEpochEnd);
  try {
    return await evaluator.evaluate({
      model,
      params,
      split,
      part,
      config: config.eval,
      seed: config.seed,
    });
  } finally {
    tf.dispose(Object.values(params));
  }
}
