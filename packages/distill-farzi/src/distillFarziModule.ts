import { ConfigSection, Distiller, TrainingSourceFactory, TYPES } from '@farzi/core';
import { ContainerModule } from 'inversify';
import { distillSection } from './distillSchema';
import { farziDistiller } from './farziDistiller';
import { farziSourceFactory } from './farziSource';

/** Registers the Farzi plugin with core: the distiller, its `distill` config section and the "farzi" training source. */
export const distillFarziModule = new ContainerModule(({ bind }) => {
  bind<Distiller>(TYPES.Distiller).toConstantValue(farziDistiller);
  bind<ConfigSection>(TYPES.ConfigSection).toConstantValue(distillSection);
  bind<TrainingSourceFactory>(TYPES.TrainingSourceFactory).toConstantValue(farziSourceFactory);
});
