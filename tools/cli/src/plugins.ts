import { createContainer, resolveServices, Services } from '@farzi/core';
import { distillFarziModule } from '@farzi/distill-farzi';
import { metricsModule } from '@farzi/metrics';
import { gru4recModule } from '@farzi/models-gru4rec';
import { sasrecModule } from '@farzi/models-sasrec';
import { transformerModule } from '@farzi/models-transformer';

/** The plugins this app ships with; each is one Inversify module. */
export const pluginModules = [
  sasrecModule,
  gru4recModule,
  transformerModule,
  metricsModule,
  distillFarziModule,
];

let services: Services | undefined;

/** The application's registries, built once from core and every plugin module. */
export function appServices(): Services {
  return (services ??= resolveServices(createContainer(pluginModules)));
}
