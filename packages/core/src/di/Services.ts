import type { ConfigSection } from '../config/ConfigSection';
import type { DataAdapter } from '../data/DataAdapter';
import type { Distiller } from '../distill/Distiller';
import type { Evaluator } from '../eval/Evaluator';
import type { ModelFactory } from '../model/Model';
import type { TrainingSourceFactory } from '../train/TrainingSource';
import type { Registry } from './Registry';

/** The registries the application works with, resolved once from the container. */
export interface Services {
  readonly models: Registry<ModelFactory>;
  readonly adapters: Registry<DataAdapter>;
  readonly sources: Registry<TrainingSourceFactory>;
  readonly evaluators: Registry<Evaluator>;
  readonly distillers: Registry<Distiller>;
  readonly sections: readonly ConfigSection[];
}
