// Public API of @farzi/metrics.
export { metricsModule } from './metricsModule';
export { rankingMetrics, coverage, perplexity } from './rankingMetrics';
export type { RankedExamples } from './rankingMetrics';
export { computeRanks, negativeSampler } from './computeRanks';
export type { RankOptions, RankResult } from './computeRanks';
export { rankingEvaluator, rankRequest, describeProtocol } from './rankingEvaluator';
export { languageModelEvaluator } from './languageModelEvaluator';
export {
  userHistoryBuckets,
  itemPopularityBuckets,
  itemBucketOf,
  popularityLabels,
  metricsByBucket,
} from './analysis';
export { targetMassPerItem, massByBucket } from './trainingMass';
export type { TrainingMass } from './trainingMass';
export type { Buckets, BucketResult } from './analysis';
export { recommendNext } from './recommend';
export type { Recommendation } from './recommend';
