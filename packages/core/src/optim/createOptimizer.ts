import { optimizerSchema } from '../config/optimizerSchema';
import type { OptimizerConfig } from '../config/ExperimentConfig';
import { adam } from './adam';
import type { Optimizer } from './Optimizer';
import { sgd } from './sgd';

export function createOptimizer(config: OptimizerConfig, learningRate: number): Optimizer {
  return config.name === 'sgd' ? sgd(config, learningRate) : adam(config, learningRate);
}

/** Full optimiser settings from partial ones, with the config schema's defaults. */
export function optimizerConfig(partial: Partial<OptimizerConfig> = {}): OptimizerConfig {
  const defaults = Object.fromEntries(
    Object.entries(optimizerSchema.properties as Record<string, { default: unknown }>).map(
      ([k, s]) => [k, s.default],
    ),
  );
  return { ...defaults, ...partial } as OptimizerConfig;
}
