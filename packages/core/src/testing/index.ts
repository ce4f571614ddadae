// `@farzi/core/testing`: helpers for the tests of core and of plugin packages (not part of the
// library build). Model packages run the shared contract suite from here.
export { describeModelContract, CONTRACT_SIZES } from './modelContract';
export type { ModelContract } from './modelContract';
export { toySequences, toySplit, toySource, oneHotSource } from './toyData';
export { tinyModel } from './TinyModel';
export { tempDir, sharedDataDir } from './tempFiles';
export { maxRelDiff } from './numeric';
