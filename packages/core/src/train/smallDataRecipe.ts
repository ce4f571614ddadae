import type { TrainConfig } from '../config/ExperimentConfig';

/**
 * How a model is trained on a small training set — Farzi Data [μ×ξ] or a sample of the same budget:
 * all μ sequences in one batch per step, up to 300 steps at learning rate 0.003, validated every 20
 * with early stopping (patience 4). The recipe the quality benchmark measured for both (see
 * BENCHMARKS.md); the demo and `farzi distill`'s hint use it too.
 */
export function smallDataRecipe(
  sequences: number,
): Pick<TrainConfig, 'epochs' | 'learningRate' | 'batchSize' | 'evalEvery' | 'earlyStopping'> {
  return {
    epochs: 300,
    learningRate: 0.003,
    batchSize: sequences,
    evalEvery: 20,
    earlyStopping: { patience: 4 },
  };
}
