import { definePlugin } from '@farzi/core';
import { td3Distiller } from './td3Distiller';
import { td3SourceFactory } from './td3Data';

/** Registers TD3 with core: the distiller (`distill.method: "td3"`) and the "td3" training source. */
export const distillTd3Module = definePlugin({
  distillers: [td3Distiller],
  sources: [td3SourceFactory],
});
