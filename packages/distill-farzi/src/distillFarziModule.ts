import { definePlugin } from '@farzi/core';
import { farziDistiller } from './farziDistiller';
import { farziSourceFactory } from './farziSourceFactory';

/**
 * Registers the Farzi plugin with core: the distiller (`distill.method: "farzi"`, whose schema is
 * the `distill` section's) and the "farzi" training source.
 */
export const distillFarziModule = definePlugin({
  distillers: [farziDistiller],
  sources: [farziSourceFactory],
});
