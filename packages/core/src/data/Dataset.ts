import type { FunnelStage } from './funnel';
import type { Vocabulary } from './Vocabulary';

/** Per-user item sequences in time order (item indices from the vocabulary, never 0). */
export interface SequenceDataset {
  readonly kind: 'sequences';
  readonly source: string;
  readonly vocab: Vocabulary;
  /** Raw user id of each sequence. */
  readonly users: string[];
  readonly sequences: Int32Array[];
  /** What reading and each filter kept (events, users, items), first step first. */
  readonly funnel?: readonly FunnelStage[];
}

/** Targets to predict from histories: one per user (validation or test of leave-one-out). */
export interface EvalSet {
  /** Index of the user (into `users`) of each example. */
  readonly userIndex: Int32Array;
  /** The history the model sees (time order). */
  readonly histories: Int32Array[];
  /** The item to predict. */
  readonly targets: Int32Array;
}

/** Leave-one-out split: last item = test, second last = validation, the rest = training. */
export interface LeaveOneOutSplit {
  readonly kind: 'leave-one-out';
  readonly source: string;
  readonly vocab: Vocabulary;
  readonly users: string[];
  readonly train: Int32Array[];
  readonly valid: EvalSet;
  readonly test: EvalSet;
  /** The data's funnel and the split's own step (users with the 3 events leave-one-out needs). */
  readonly funnel?: readonly FunnelStage[];
}

/** Token streams of a text corpus with given train/valid/test parts. */
export interface TokenSplit {
  readonly kind: 'tokens';
  readonly source: string;
  readonly vocab: Vocabulary;
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
}

export type DataSplit = LeaveOneOutSplit | TokenSplit;
