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
export { farziMetaGradient, unrolledMetaGradient, outerObjective } from './metaGradient';
export type { MetaOptions, MetaResult, RealBatch } from './metaGradient';
export { reverseAdam } from './reverseAdam';
export type { ReversePhases, SecondOrderMethod } from './reverseAdam';
export { runInnerLoop, syntheticLoss, toList, toParams } from './innerLoop';
export {
  decodeSynthetic,
  disposeSynthetic,
  lossOnSynthetic,
  pullBackToLatent,
  sequencesPerChunk,
} from './synthetic';
export type { InnerData, SyntheticBatch, SyntheticChunk, SyntheticData } from './synthetic';
export { initializeFarzi } from './initialize';
export { fitFarzi, loadTeacher, realWindows, teacherTargets } from './teacher';
export type { FarziFit } from './teacher';
