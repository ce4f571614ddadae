import { TrainingSourceFactory, TYPES } from '@farzi/core';
import { ContainerModule } from 'inversify';
import { farziSourceFactory } from './farziSource';

/** Registers the Farzi plugin with core: the "farzi" training source (and, with it, the distiller). */
export const distillFarziModule = new ContainerModule(({ bind }) => {
  bind<TrainingSourceFactory>(TYPES.TrainingSourceFactory).toConstantValue(farziSourceFactory);
});
