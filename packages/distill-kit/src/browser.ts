// @farzi/distill-kit in a browser: the parts that train on distilled data (no file system, no
// teacher checkpoints). Bundlers take this file for `@farzi/distill-kit` (package.json "browser").
export type { SoftSequences, SyntheticBatch, SyntheticChunk, SyntheticData } from './softSequences';
export { sequencesPerChunk } from './softSequences';
export type { ChunkCotangent } from './softSequences';
export { softSequenceSource } from './softSequenceSource';
export { studentRecipeOf, trainStudent } from './student';
export type { StudentRecipe, StudentSettings } from './student';
