// @farzi/metrics in a browser: ranking, its metrics and recommendations (no plugin module).
// Bundlers take this file for `@farzi/metrics` (package.json "browser").
export { rankingMetrics } from './rankingMetrics';
export type { RankedExamples } from './rankingMetrics';
export { computeRanks } from './computeRanks';
export type { RankOptions, RankResult } from './computeRanks';
export { recommendNext } from './recommend';
export type { Recommendation } from './recommend';
