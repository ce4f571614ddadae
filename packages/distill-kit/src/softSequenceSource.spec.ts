import * as tf from '@tensorflow/tfjs-core';
import { Rng, selectBackend } from '@farzi/core';
import { tinyModel } from '@farzi/core/testing';
import { softSequenceSource } from './softSequenceSource';
import { trainStudent } from './student';
import { createOptimizer, optimizerConfig } from '@farzi/core';

describe('soft sequences as a training source, and a student trained on them', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('serves every sequence once per epoch, in the RNG’s order, and frees its tensors', () => {
    const before = tf.memory().numTensors;
    const x = tf.tidy(() =>
      tf.softmax(tf.randomNormal([5, 4, 6], 0, 1, 'float32', 1)),
    ) as tf.Tensor3D;
    const inputs = tf.slice(x, [0, 0, 0], [5, 3, 6]) as tf.Tensor3D;
    const targets = tf.slice(x, [0, 1, 0], [5, 3, 6]) as tf.Tensor3D;
    const firstRows = inputs.arraySync().map((s) => s[0][0]);
    x.dispose();
    const source = softSequenceSource(inputs, targets, 'five soft sequences');
    expect([source.numSequences, source.numEvents]).toEqual([5, 15]);
    const seen: number[] = [];
    for (const batch of source.batches(2, new Rng(3))) {
      if (batch.kind !== 'soft') throw new Error('expected soft batches');
      expect(batch.inputs.shape.slice(1)).toEqual([3, 6]);
      expect(batch.mask.shape).toEqual([batch.size, 3]);
      for (const s of batch.inputs.arraySync()) seen.push(firstRows.indexOf(s[0][0]));
      tf.dispose([batch.inputs, batch.targets, batch.mask]);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(seen).toEqual(Array.from(new Rng(3).permutation(5)));
    source.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a student with a recipe and leaves only its parameters', async () => {
    const before = tf.memory().numTensors;
    const x = tf.tidy(() =>
      tf.softmax(tf.randomNormal([4, 5, 7], 0, 1, 'float32', 2)),
    ) as tf.Tensor3D;
    const source = softSequenceSource(
      tf.slice(x, [0, 0, 0], [4, 4, 7]) as tf.Tensor3D,
      tf.slice(x, [0, 1, 0], [4, 4, 7]) as tf.Tensor3D,
      'four soft sequences',
    );
    x.dispose();
    const model = tinyModel(7, 4, 4);
    const recipe = {
      optimizer: createOptimizer(optimizerConfig({ name: 'adam' }), 0.05),
      epochs: 3,
      batchSize: 2,
      dropout: false,
    };
    const init = model.init(1);
    const params = await trainStudent(model, source, 1, recipe);
    const moved = tf.tidy(
      () => tf.sum(tf.abs(tf.sub(params.embedding, init.embedding))).dataSync()[0],
    );
    expect(moved).toBeGreaterThan(0);
    tf.dispose([...Object.values(init), ...Object.values(params)]);
    source.dispose?.();
    expect(tf.memory().numTensors).toBe(before);
  });
});
