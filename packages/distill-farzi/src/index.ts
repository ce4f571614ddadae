// Public API of @farzi/distill-farzi.
export { distillFarziModule } from './distillFarziModule';
export {
  decodeFarzi,
  farziLogits,
  saveFarziData,
  loadFarziData,
  farziShape,
  checkVocabulary,
} from './farziData';
export type { FarziData } from './farziData';
export { farziSource, farziSourceFactory } from './farziSource';
export { farziDistiller } from './farziDistiller';
export { evaluateFarzi, trainStudent, studentRecipe } from './student';
export { FarziRun } from './farziRun';
export type { FarziContext, FarziCheckpointMeta } from './farziRun';
export { distillSchema } from './distillSchema';
export type { DistillConfig } from './distillSchema';
export { metaGradient, unrolledMetaGradient, outerObjective } from './metaGradient';
export type { MetaOptions, MetaResult, RealBatch } from './metaGradient';
export { farziMetaGradient, farziOuterObjective, unrolledFarziMetaGradient } from './farziMeta';
export { reverseAdam } from './reverseAdam';
export type { ReversePhases, SecondOrderMethod } from './reverseAdam';
export { runInnerLoop, syntheticLoss, toList, toParams } from './innerLoop';
export { disposeSynthetic, lossOnSynthetic, sequencesPerChunk } from './softSequences';
export type {
  ChunkCotangent,
  SoftSequences,
  SyntheticBatch,
  SyntheticChunk,
  SyntheticData,
} from './softSequences';
export { decodeSynthetic, farziSequences, pullBackToLatent } from './synthetic';
export type { InnerData } from './synthetic';
export { initializeFarzi } from './initialize';
export { fitFarzi, loadTeacher, realWindows, teacherTargets } from './teacher';
export type { FarziFit } from './teacher';
