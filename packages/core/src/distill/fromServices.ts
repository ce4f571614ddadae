import { validateConfig } from '../config/validateConfig';
import type { Services } from '../di/Services';
import { createModel, findEvaluator, runTraining } from '../train/runTraining';
import type { DistillTools } from './DistillTools';

/** The tools a distiller gets, bound to the application's registries. */
export function distillTools(services: Services): DistillTools {
  return {
    createModel: (config, split) => createModel(config, split, services),
    evaluator: (config) => findEvaluator(config, services),
    realSource: (config, split) => services.sources.get('real').create({}, { split, config }),
    train: (config, options) => runTraining(config, services, options),
    validateConfig: (raw, origin) => validateConfig(raw, services, origin),
  };
}
