import { ContainerModule } from 'inversify';
import { builtInAdapters } from '../data/adapters/builtInAdapters';
import type { DataAdapter } from '../data/DataAdapter';
import type { Distiller } from '../distill/Distiller';
import type { Evaluator } from '../eval/Evaluator';
import type { ModelFactory } from '../model/Model';
import { builtInSources } from '../train/sources/builtInSources';
import type { TrainingSourceFactory } from '../train/TrainingSource';
import { TYPES } from './identifiers';
import { Registry } from './Registry';

/**
 * Core's own bindings: the built-in data adapters and training sources, and the registries that
 * collect every plugin's contributions by name.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  for (const adapter of builtInAdapters)
    bind<DataAdapter>(TYPES.DataAdapter).toConstantValue(adapter);
  for (const source of builtInSources)
    bind<TrainingSourceFactory>(TYPES.TrainingSourceFactory).toConstantValue(source);

  bind(TYPES.ModelRegistry)
    .toDynamicValue(
      (ctx) =>
        new Registry(
          'model',
          ctx.getAll<ModelFactory>(TYPES.ModelFactory, { optional: true }),
          'model.name',
        ),
    )
    .inSingletonScope();
  bind(TYPES.DataAdapterRegistry)
    .toDynamicValue(
      (ctx) =>
        new Registry(
          'data format',
          ctx.getAll<DataAdapter>(TYPES.DataAdapter, { optional: true }),
          'data.format',
        ),
    )
    .inSingletonScope();
  bind(TYPES.TrainingSourceRegistry)
    .toDynamicValue(
      (ctx) =>
        new Registry(
          'training source',
          ctx.getAll<TrainingSourceFactory>(TYPES.TrainingSourceFactory, { optional: true }),
          'train.source.name',
        ),
    )
    .inSingletonScope();
  bind(TYPES.EvaluatorRegistry)
    .toDynamicValue(
      (ctx) =>
        new Registry(
          'evaluator',
          ctx.getAll<Evaluator>(TYPES.Evaluator, { optional: true }),
          'eval.evaluator',
        ),
    )
    .inSingletonScope();
  bind(TYPES.DistillerRegistry)
    .toDynamicValue(
      (ctx) =>
        new Registry('distiller', ctx.getAll<Distiller>(TYPES.Distiller, { optional: true })),
    )
    .inSingletonScope();
});
