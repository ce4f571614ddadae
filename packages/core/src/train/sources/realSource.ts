import * as tf from '@tensorflow/tfjs-core';
import { countSequenceExamples, IdBatch, sequenceBatches, tokenBatches } from '../../data/batching';
import type { Batch, TrainingSource, TrainingSourceFactory } from '../TrainingSource';

/** Turns host id batches into tensors. */
export function* toTensorBatches(batches: Iterable<IdBatch>): Generator<Batch> {
  for (const b of batches) {
    yield {
      kind: 'hard',
      inputs: tf.tensor2d(b.inputs, [b.batchSize, b.length], 'int32'),
      targets: tf.tensor2d(b.targets, [b.batchSize, b.length], 'int32'),
      size: b.batchSize,
    };
  }
}

/** A training source over id sequences (real data or a sampled subset of it). */
export function sequenceSource(
  description: string,
  sequences: readonly Int32Array[],
  maxLength: number,
  everyPrefix: boolean,
): TrainingSource {
  let events = 0;
  for (const s of sequences)
    events += everyPrefix
      ? Math.max(0, s.length - 1)
      : Math.max(0, Math.min(s.length, maxLength + 1) - 1);
  return {
    description,
    numSequences: countSequenceExamples(sequences, everyPrefix),
    numEvents: events,
    batches: (batchSize, rng, options) =>
      toTensorBatches(
        sequenceBatches(sequences, {
          maxLength,
          batchSize,
          everyPrefix,
          rng,
          trim: options?.trimPadding,
          lengthBuckets: options?.lengthBuckets,
        }),
      ),
  };
}

/** The real training data of the split: per-user training sequences, or the text's training tokens. */
export const realSourceFactory: TrainingSourceFactory = {
  name: 'real',
  description: 'the real training data of the configured data set',
  schema: { type: 'object', properties: {} },
  create(_options, { split, config }) {
    const L = config.data.maxLength;
    if (split.kind === 'tokens') {
      const chunks = Math.floor((split.train.length - 1) / L);
      return {
        description: `real training text (${split.train.length} tokens in ${chunks} chunks of ${L})`,
        numSequences: chunks,
        numEvents: chunks * L,
        batches: (batchSize, rng) =>
          toTensorBatches(tokenBatches(split.train, { length: L, batchSize, rng })),
      };
    }
    return sequenceSource(
      `real training sequences (${split.train.length} users)`,
      split.train,
      L,
      config.train.everyPrefix,
    );
  },
};
