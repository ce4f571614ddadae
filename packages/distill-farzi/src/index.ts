// Public API of @farzi/distill-farzi.
export { distillFarziModule } from './distillFarziModule';
export { decodeFarzi, saveFarziData, loadFarziData, farziShape, checkVocabulary } from './farziData';
export type { FarziData } from './farziData';
export { farziSource, farziSourceFactory } from './farziSource';
