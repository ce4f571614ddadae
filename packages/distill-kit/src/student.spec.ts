import type { ExperimentConfig } from '@farzi/core';
import { studentRecipeOf } from './student';

// The one validation-student recipe of every distillation method (Farzi's "custom", TD3's).
describe('studentRecipeOf', () => {
  const config = {
    train: { optimizer: { name: 'adam', beta1: 0.9, beta2: 0.98, eps: 1e-8 } },
  } as unknown as ExperimentConfig;

  it("takes distill.student's epochs and learning rate with the config's train.optimizer", () => {
    const recipe = studentRecipeOf(config, { epochs: 7, learningRate: 0.003, batchSize: 16 }, 50);
    expect(recipe.epochs).toBe(7);
    expect(recipe.batchSize).toBe(16);
    expect(recipe.dropout).toBe(true);
    expect(recipe.optimizer.learningRate).toBe(0.003);
    expect(recipe.optimizer.config).toMatchObject({ name: 'adam', beta1: 0.9, beta2: 0.98 });
  });

  it('puts all μ synthetic sequences in one batch when batchSize is 0', () => {
    expect(
      studentRecipeOf(config, { epochs: 1, learningRate: 0.01, batchSize: 0 }, 200).batchSize,
    ).toBe(200);
  });
});
