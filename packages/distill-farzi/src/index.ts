// Public API of @farzi/distill-farzi.
export { distillFarziModule } from './distillFarziModule';
export {
  decodeFarzi,
  farziLogits,
  saveFarziData,
  loadFarziData,
  farziShape,
  checkVocabulary,
  parseFarziData,
  farziDataContents,
  farziDataFromContents,
} from './farziData';
export type { FarziData } from './farziData';
export { farziSource } from './farziSource';
export { farziSourceFactory } from './farziSourceFactory';
export { farziDistiller } from './farziDistiller';
export { evaluateFarzi, trainStudent, studentRecipe } from './student';
export { FarziRun } from './farziRun';
export type { FarziContext, FarziCheckpointMeta } from './farziRun';
export { distillSchema } from './distillSchema';
export type { DistillConfig } from './distillSchema';
export { farziMetaGradient, farziOuterObjective, unrolledFarziMetaGradient } from './farziMeta';
export { decodeSynthetic, farziSequences, pullBackToLatent } from './synthetic';
export type { InnerData } from './synthetic';
export { initializeFarzi } from './initialize';
export { fitFarzi } from './teacher';
export type { FarziFit } from './teacher';
