import * as tf from '@tensorflow/tfjs-core';
import { Batch, LeaveOneOutSplit, TrainingSource, Vocabulary } from '@farzi/core';
import { itemBucketOf } from './analysis';
import { massByBucket, targetMassPerItem } from './trainingMass';

/** A source whose one epoch is the given batches (made fresh each epoch, as sources do). */
function sourceOf(make: () => Batch[]): TrainingSource {
  return { description: 'test', numSequences: 2, numEvents: 0, batches: () => make() };
}

describe('training target mass by item popularity', () => {
  it('counts id targets (padding excluded) and shares them by bucket, by hand', () => {
    const source = sourceOf(() => [
      {
        kind: 'hard',
        inputs: tf.tensor2d([[1, 2, 0]], [1, 3], 'int32'),
        targets: tf.tensor2d([[1, 2, 0]], [1, 3], 'int32'),
        size: 1,
      },
      {
        kind: 'hard',
        inputs: tf.tensor2d([[4, 2, 3]], [1, 3], 'int32'),
        targets: tf.tensor2d([[2, 3, 3]], [1, 3], 'int32'),
        size: 1,
      },
    ]);
    const before = tf.memory().numTensors;
    const { mass, events } = targetMassPerItem(source, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(mass)).toEqual([0, 1, 2, 2, 0]);
    expect(events).toBe(5);
    const r = massByBucket(mass, events, Int32Array.from([-1, 0, 1, 1, 2]), ['h', 't', 'l']);
    expect(r.shares.map((s) => s.share)).toEqual([0.2, 0.8, 0]);
    // p = 0.2, 0.4, 0.4 over three items
    const h = -(0.2 * Math.log(0.2) + 2 * 0.4 * Math.log(0.4));
    expect(r.effectiveItems).toBeCloseTo(Math.exp(h), 12);
  });

  it('sums soft targets weighted by the mask, by hand', () => {
    const source = sourceOf(() => [
      {
        kind: 'soft',
        inputs: tf.zeros([1, 2, 4]) as tf.Tensor3D,
        targets: tf.tensor3d([
          [
            [0, 0.5, 0.25, 0.25],
            [0, 0, 0, 1],
          ],
        ]),
        mask: tf.tensor2d([[1, 0]]),
        size: 1,
      },
      {
        kind: 'soft',
        inputs: tf.zeros([1, 2, 4]) as tf.Tensor3D,
        targets: tf.tensor3d([
          [
            [0, 0, 1, 0],
            [0, 0.5, 0, 0.5],
          ],
        ]),
        mask: tf.tensor2d([[1, 1]]),
        size: 1,
      },
    ]);
    const before = tf.memory().numTensors;
    const { mass, events } = targetMassPerItem(source, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(mass)).toEqual([0, 1, 1.25, 0.75]);
    expect(events).toBe(3);
    const r = massByBucket(mass, events, Int32Array.from([-1, 0, 1, 2]), ['h', 't', 'l']);
    expect(r.shares.map((s) => s.share)).toEqual([1 / 3, 1.25 / 3, 0.75 / 3]);
    const one = massByBucket(Float64Array.from([0, 0, 7, 0]), 7, Int32Array.from([-1, 0, 1, 2]), [
      'h',
      't',
      'l',
    ]);
    expect(one.effectiveItems).toBeCloseTo(1, 12);
  });

  it('buckets every item of the catalogue by its training count', () => {
    // counts: item1 3, item2 2, item3 1, item4 0, item5 1 → order 1, 2, 3, 5, 4
    const split = {
      kind: 'leave-one-out',
      vocab: Vocabulary.fromRaw(['a', 'b', 'c', 'd', 'e']),
      train: [[1, 2, 1], [1, 2, 3], [5]].map((s) => Int32Array.from(s)),
    } as unknown as LeaveOneOutSplit;
    // 5 items: the head is the first round(0.2·5) = 1, the torso up to round(0.5·5) = 3 (Math.round)
    expect(Array.from(itemBucketOf(split))).toEqual([-1, 0, 1, 1, 2, 2]);
    expect(Array.from(itemBucketOf(split, [0.4, 0.8]))).toEqual([-1, 0, 0, 1, 2, 1]);
  });
});
