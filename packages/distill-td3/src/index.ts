// Public API of @farzi/distill-td3.
export { distillTd3Module } from './td3Module';
export { td3Distiller } from './td3Distiller';
export type { Td3Details } from './td3Distiller';
export { loadTd3Data, saveTd3Data, td3Source, td3SourceFactory } from './td3Data';
export type { Td3Data } from './td3Data';
export { decodeTucker, tuckerSequences } from './tucker';
export type { TuckerFactors } from './tucker';
export { td3Schema } from './td3Schema';
export type { Td3Settings } from './td3Schema';
