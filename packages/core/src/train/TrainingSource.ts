import type * as tf from '@tensorflow/tfjs-core';
import type { JsonSchema } from '../config/JsonSchema';
import type { ExperimentConfig } from '../config/ExperimentConfig';
import type { DataSplit } from '../data/Dataset';
import type { Named } from '../contracts/Named';
import type { Rng } from '../random/Rng';

/**
 * A training batch as tensors. Hard batches hold ids `[B, L]` (int32, 0 = padding) and id targets;
 * soft batches hold distributions `[B, L, V]` as inputs and as targets. `mask` `[B, L]` (float32)
 * weights each position's loss (0 = ignore).
 */
export type Batch =
  | {
      readonly kind: 'hard';
      readonly inputs: tf.Tensor2D;
      readonly targets: tf.Tensor2D;
      readonly size: number;
    }
  | {
      readonly kind: 'soft';
      readonly inputs: tf.Tensor3D;
      readonly targets: tf.Tensor3D;
      readonly mask: tf.Tensor2D;
      readonly size: number;
    };

/** How the trainer wants id batches cut (sources of soft data ignore it). */
export interface BatchOptions {
  /** Cut each batch to its longest window (the model is `leftPaddingInvariant`). */
  readonly trimPadding?: boolean;
  /** With `trimPadding`: sort groups of this many batches by length (`train.lengthBuckets`). */
  readonly lengthBuckets?: number;
}

/** Something the trainer can train on: real sequences, Farzi Data, a sampled subset, … */
export interface TrainingSource {
  /** One line for logs, e.g. "real training sequences (943 users)". */
  readonly description: string;
  /** Sequences per epoch. */
  readonly numSequences: number;
  /** Events (positions with a target) per epoch: the data budget. */
  readonly numEvents: number;
  /**
   * The batches of one epoch, in an order fixed by `rng`. The trainer disposes each batch's tensors
   * after its step.
   */
  batches(batchSize: number, rng: Rng, options?: BatchOptions): Iterable<Batch>;
  /** Frees tensors the source holds (e.g. the Farzi Data itself). */
  dispose?(): void;
}

export interface TrainingSourceContext {
  readonly split: DataSplit;
  readonly config: ExperimentConfig;
}

/** Registered under the name used in `train.source.name`. */
export interface TrainingSourceFactory extends Named {
  readonly description: string;
  /** JSON Schema (an object schema) of `train.source` besides `name`. */
  readonly schema: JsonSchema;
  create(options: Record<string, unknown>, context: TrainingSourceContext): TrainingSource;
}
