import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import type { ConfigSection } from '../config/ConfigSection';
import { coreModule } from './coreModule';
import { TYPES } from './identifiers';
import type { Services } from './Services';

/** Builds the application container from core's module and the given plugin modules. */
export function createContainer(plugins: readonly ContainerModule[]): Container {
  const container = new Container();
  container.loadSync(coreModule, ...plugins);
  return container;
}

/** Resolves every registry once. */
export function resolveServices(container: Container): Services {
  return {
    models: container.get(TYPES.ModelRegistry),
    adapters: container.get(TYPES.DataAdapterRegistry),
    sources: container.get(TYPES.TrainingSourceRegistry),
    evaluators: container.get(TYPES.EvaluatorRegistry),
    distillers: container.get(TYPES.DistillerRegistry),
    sections: container.getAll<ConfigSection>(TYPES.ConfigSection, { optional: true }),
  };
}
