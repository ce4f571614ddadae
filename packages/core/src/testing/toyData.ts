import * as tf from '@tensorflow/tfjs-core';
import type { LeaveOneOutSplit } from '../data/Dataset';
import { Vocabulary } from '../data/Vocabulary';
import type { Rng } from '../random/Rng';
import { sequenceSource } from '../train/sources/realSource';
import type { Batch, TrainingSource } from '../train/TrainingSource';

/** Deterministic toy sequences over items 1..items: each user walks the catalogue with a stride. */
export function toySequences(users: number, length: number, items: number): Int32Array[] {
  return Array.from({ length: users }, (_, u) =>
    Int32Array.from({ length }, (_, t) => ((u + t * (1 + (u % 3))) % items) + 1),
  );
}

export function toySplit(users = 12, length = 8, items = 9): LeaveOneOutSplit {
  const seqs = toySequences(users, length, items);
  const evalSet = (offset: number) => ({
    userIndex: Int32Array.from(seqs, (_, u) => u),
    histories: seqs.map((s) => s.subarray(0, s.length - offset)),
    targets: Int32Array.from(seqs, (s) => s[s.length - offset]),
  });
  return {
    kind: 'leave-one-out',
    source: 'toy',
    vocab: Vocabulary.fromRaw(Array.from({ length: items }, (_, i) => `item${i + 1}`)),
    users: seqs.map((_, u) => `user${u}`),
    train: seqs.map((s) => s.subarray(0, s.length - 2)),
    valid: evalSet(2),
    test: evalSet(1),
  };
}

/** The same batches as `hardSource`, as one-hot soft tokens (inputs and targets). */
export function oneHotSource(hard: TrainingSource, vocabSize: number): TrainingSource {
  return {
    description: `one-hot ${hard.description}`,
    numSequences: hard.numSequences,
    numEvents: hard.numEvents,
    *batches(batchSize: number, rng: Rng): Generator<Batch> {
      for (const b of hard.batches(batchSize, rng)) {
        if (b.kind !== 'hard') throw new Error('expected hard batches');
        const soft = tf.tidy(() => ({
          inputs: tf.cast(
            tf.oneHot(tf.cast(b.inputs, 'int32'), vocabSize),
            'float32',
          ) as tf.Tensor3D,
          targets: tf.cast(
            tf.oneHot(tf.cast(b.targets, 'int32'), vocabSize),
            'float32',
          ) as tf.Tensor3D,
          mask: tf.cast(tf.notEqual(b.targets, 0), 'float32') as tf.Tensor2D,
        }));
        tf.dispose([b.inputs, b.targets]);
        yield { kind: 'soft', ...soft, size: b.size };
      }
    },
  };
}

export function toySource(split: LeaveOneOutSplit, maxLength: number): TrainingSource {
  return sequenceSource('toy sequences', split.train, maxLength, false);
}
