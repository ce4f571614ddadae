import * as tf from '@tensorflow/tfjs-core';
import { createOptimizer, selectBackend } from '@farzi/core';
import { trainStudent } from '@farzi/distill-kit';
import { farziSource } from '@farzi/distill-farzi';
import { fixtureData } from '../testing/fixture';
import { checkSettings, studentDefaults, studentModels, trainOnFarziData } from './student';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('the page’s student training', () => {
  it('reads the student recipe the data was distilled with from the file', () => {
    const data = fixtureData();
    const s = studentDefaults(data);
    expect(s).toMatchObject({
      model: 'sasrec',
      maxLength: 6,
      epochs: 4,
      learningRate: 0.01,
      batchSize: 6, // distill.student.batchSize 0: μ sequences per batch
      seed: 42,
    });
    expect(s.hyperParameters).toMatchObject({ hiddenSize: 8, blocks: 1, heads: 1, dropout: 0.2 });
    expect(s.optimizer).toMatchObject({ name: 'adam', clipNorm: 5, beta1: 0.9 });
    // Another architecture: its own defaults, not SASRec's hyper-parameters.
    const gru = studentDefaults(data, 'gru4rec');
    expect(gru.hyperParameters).not.toHaveProperty('blocks');
    expect(studentModels.names()).toEqual(['gru4rec', 'sasrec']);
    tf.dispose([data.latent, data.decoder]);
  });

  it('is the distillation’s own student training (the kit’s trainStudent): equal parameters', async () => {
    const data = fixtureData();
    const s = studentDefaults(data);
    const before = tf.memory().numTensors;
    const page = await trainOnFarziData(data, s);
    expect(page.losses).toHaveLength(4);
    expect(page.losses.every(Number.isFinite)).toBe(true);
    const model = studentModels
      .get('sasrec')
      .create(s.hyperParameters, { vocabSize: 31, maxLength: s.maxLength });
    const source = farziSource(data, s.maxLength);
    const kit = await trainStudent(model, source, s.seed, {
      optimizer: createOptimizer(s.optimizer, s.learningRate),
      epochs: s.epochs,
      batchSize: s.batchSize,
      dropout: true,
    });
    source.dispose?.();
    for (const [name, t] of Object.entries(kit))
      expect(Array.from(page.params[name].dataSync())).toEqual(Array.from(t.dataSync()));
    tf.dispose([...Object.values(kit), ...Object.values(page.params)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([data.latent, data.decoder]);
  });

  it('trains GRU4Rec on the same data when chosen', async () => {
    const data = fixtureData();
    const gru = await trainOnFarziData(data, { ...studentDefaults(data, 'gru4rec'), epochs: 2 });
    expect(gru.model.name).toBe('gru4rec');
    expect(gru.losses).toHaveLength(2);
    tf.dispose([data.latent, data.decoder, ...Object.values(gru.params)]);
  });

  it('refuses settings typed wrong, naming the setting', () => {
    const s = studentDefaults(fixtureData());
    expect(() => checkSettings({ ...s, epochs: 0 })).toThrow('epochs: expected a whole number ≥ 1');
    expect(() => checkSettings({ ...s, batchSize: 2.5 })).toThrow('batchSize');
    expect(() => checkSettings({ ...s, learningRate: NaN })).toThrow('learningRate');
    expect(() => checkSettings({ ...s, model: 'sasreq' })).toThrow(/"sasrec"/);
  });
});
