import { definePlugin } from '@farzi/core';
import { languageModelEvaluator } from './languageModelEvaluator';
import { rankingEvaluator } from './rankingEvaluator';

/** Registers the evaluators with core. */
export const metricsModule = definePlugin({
  evaluators: [rankingEvaluator, languageModelEvaluator],
});
