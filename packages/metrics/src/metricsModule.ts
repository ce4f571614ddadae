import { TYPES } from '@farzi/core';
import type { Evaluator } from '@farzi/core';
import { ContainerModule } from 'inversify';
import { languageModelEvaluator } from './languageModelEvaluator';
import { rankingEvaluator } from './rankingEvaluator';

/** Registers the evaluators with core. */
export const metricsModule = new ContainerModule(({ bind }) => {
  bind<Evaluator>(TYPES.Evaluator).toConstantValue(rankingEvaluator);
  bind<Evaluator>(TYPES.Evaluator).toConstantValue(languageModelEvaluator);
});
