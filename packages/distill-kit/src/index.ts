// Public API of @farzi/distill-kit: what any bi-level data-distillation method builds on. A method
// parameterises its soft synthetic sequences (`SoftSequences`); the kit runs the inner loop on
// their decoding, takes the real-data loss, and differentiates it back to the parameters by
// reverse-mode Adam (memory independent of the inner horizon; ../shared/docs/FARZI.md).
export type {
  ChunkCotangent,
  SoftSequences,
  SyntheticBatch,
  SyntheticChunk,
  SyntheticData,
} from './softSequences';
export {
  AUTO_CHUNK_VALUES,
  chunkLoss,
  disposeSynthetic,
  lossOnSynthetic,
  sequencesPerChunk,
} from './softSequences';
export { runInnerLoop, syntheticLoss, toList, toParams } from './innerLoop';
export type { InnerState, ParamList } from './innerLoop';
export { reverseAdam } from './reverseAdam';
export type { MetaGradient, ReversePhases, SecondOrderMethod } from './reverseAdam';
export {
  featureDistance,
  metaGradient,
  outerObjective,
  realLoss,
  unrolledMetaGradient,
} from './metaGradient';
export type { MetaOptions, MetaResult } from './metaGradient';
export {
  nextItemCounts,
  popularityWeights,
  disposeRealBatch,
  logitsAt,
  realPositions,
  realSequences,
  realWindows,
  sampleRealBatch,
} from './realData';
export type { RealBatch } from './realData';
export { selectWindows, windowSelectionSchema, windowStats } from './windows';
export type { WindowSelection, WindowStats } from './windows';
export { cloneParams, saveParams } from './checkpoints';
export { backoffReport, OuterBackoff, outerBackoffSchema, relativeFall } from './outerBackoff';
export type { BackoffSettings } from './outerBackoff';
export { softSequenceSource } from './softSequenceSource';
export { evaluateStudent, studentRecipeOf, trainStudent } from './student';
export type { StudentRecipe, StudentSettings } from './student';
export { StudentPool, studentTrajectorySchema } from './studentPool';
export type { StudentTrajectorySettings } from './studentPool';
export { pretrainedTrajectories } from './trajectories';
export type { TrajectorySettings } from './trajectories';
export type { TeacherAlignment } from './teacher';
export {
  alignWithTeacher,
  loadTeacher,
  obtainTeacher,
  teacherDistributions,
  teacherHidden,
  teacherTargets,
} from './teacher';
export { finishDistillation } from './distillResult';
export { distillBudget, distillLogger, prepareDistillRun, writeDistillData } from './distillRun';
export {
  DISTILL_TENSORBOARD_FILE,
  distillEvents,
  distillMetricsCsv,
  writeDistillMetrics,
} from './distillMetrics';
