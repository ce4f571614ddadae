import type { TrainingSourceFactory } from '../TrainingSource';
import { realSourceFactory } from './realSource';
import { headSampleSourceFactory, randomSampleSourceFactory } from './sampledSources';

export const builtInSources: readonly TrainingSourceFactory[] = [
  realSourceFactory,
  randomSampleSourceFactory,
  headSampleSourceFactory,
];
