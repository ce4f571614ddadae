import type { EvalConfig } from '../config/ExperimentConfig';
import type { DataSplit } from '../data/Dataset';
import type { Named } from '../contracts/Named';
import type { Model, Params } from '../model/Model';
import type { ProgressListener } from '../train/progress';

export interface EvaluationRequest {
  readonly model: Model;
  readonly params: Params;
  readonly split: DataSplit;
  /** Which held-out part to score. */
  readonly part: 'valid' | 'test';
  readonly config: EvalConfig;
  /** Seed for sampled negatives. */
  readonly seed: number;
  /** Receives `eval` progress events while the evaluation runs. */
  readonly onProgress?: ProgressListener;
}

export interface EvaluationResult {
  /** The protocol in words, stated in every output, e.g. "full ranking over 1682 items, history masked". */
  readonly protocol: string;
  readonly part: 'valid' | 'test';
  /** Number of evaluated examples (users, or tokens for language models). */
  readonly count: number;
  /** Metric name → value, e.g. `{ "HR@10": 0.12, "NDCG@10": 0.06 }`. */
  readonly metrics: Record<string, number>;
}

/**
 * Computes metrics of a model on a held-out part. The metrics package registers the implementations;
 * core uses them only through this interface (trainer early stopping, final metrics).
 */
export interface Evaluator extends Named {
  readonly description: string;
  /** Whether higher is better for a metric name (for early stopping), e.g. true for NDCG, false for perplexity. */
  higherIsBetter(metric: string): boolean;
  evaluate(request: EvaluationRequest): Promise<EvaluationResult>;
  /** The metric names `evaluate` reports under these settings (checked against `eval.metric`). */
  metricNames?(config: EvalConfig): string[];
  /** Data-dependent checks of the settings, run before any training (throws a `UserError`). */
  check?(config: EvalConfig, split: DataSplit): void;
}
