import type { BackendName } from '../backend/selectBackend';

export interface DataConfig {
  /** A known data set by name; the app fills `format` and `path` from it. */
  dataset?: string;
  format: string;
  path: string;
  options: Record<string, unknown>;
  minRating?: number;
  kCore: number;
  maxLength: number;
}

export interface OptimizerConfig {
  name: 'adam' | 'sgd';
  beta1: number;
  beta2: number;
  eps: number;
  epsRoot: number;
  weightDecay: number;
  clipNorm: number;
  momentum: number;
}

export interface TrainConfig {
  source: { name: string; [option: string]: unknown };
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerConfig;
  everyPrefix: boolean;
  evalEvery: number;
  earlyStopping: { patience: number };
  logEvery: number;
  loss: LossConfig;
  lengthBuckets: number;
}

/** The next-item loss on real data: the full softmax (default) or a sampled softmax. */
export interface LossConfig {
  name: 'softmax' | 'sampled-softmax';
  negatives: number;
  sampling: 'uniform' | 'popularity';
}

export interface EvalConfig {
  evaluator: string;
  protocol: 'full' | 'sampled';
  negatives: number;
  negativeSampling: 'uniform' | 'popularity';
  maskHistory: boolean;
  ks: number[];
  metric: string;
  batchSize: number;
  /** Ranking only: validate on a fixed random sample of this many users (test: every user). */
  validUsers?: number;
}

export interface ModelConfig {
  name: string;
  [hyperParameter: string]: unknown;
}

/** A validated experiment config with every default filled in. */
export interface ExperimentConfig {
  name?: string;
  seed: number;
  backend: BackendName;
  data: DataConfig;
  model: ModelConfig;
  train: TrainConfig;
  eval: EvalConfig;
  /** Data distillation: the method (a registered distiller) and its own settings. */
  distill?: DistillSection;
  /** Sections contributed by plugins. */
  [section: string]: unknown;
}

/** The `distill` section: `method` names the distiller; the rest is that distiller's to validate. */
export interface DistillSection {
  method: string;
  [setting: string]: unknown;
}
