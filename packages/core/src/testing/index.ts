// `@farzi/core/testing`: helpers for the tests of core and of plugin packages, built with the
// library into dist/testing (packages/core/testing/package.json points there) but never imported by
// it. Model packages, in this repository or generated outside it, run the shared contract suite
// from here. Like core's other entries, it loads the tfjs-core setup (backend/tfjs.ts) first.
import '../backend/tfjs';

export { describeModelContract, CONTRACT_SIZES } from './modelContract';
export type { ModelContract } from './modelContract';
export { toySequences, toySplit, toySource, oneHotSource } from './toyData';
export { tinyModel } from './TinyModel';
export { tempDir, sharedDataDir } from './tempFiles';
export { maxRelDiff } from './numeric';
