import * as tf from '@tensorflow/tfjs-core';
import { leftPadded, selectBackend } from '@farzi/core';
import { fixtureData, fixtureSample } from '../testing/fixture';
import { evaluateOnSample, parseEvalSample } from './evalSample';
import { studentDefaults, studentModels } from './student';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('the held-out sample', () => {
  it('scores as an independent dense reference does: full ranking, history masked, pessimistic ties', () => {
    const data = fixtureData();
    const sample = fixtureSample();
    const s = studentDefaults(data);
    const model = studentModels
      .get('sasrec')
      .create(s.hyperParameters, { vocabSize: 31, maxLength: s.maxLength });
    const params = model.init(7);
    const result = evaluateOnSample(model, params, data.vocabulary, data.sourceFingerprint, sample);
    // Reference: the last row of the dense logits; candidates are every item but padding and the
    // history (the target stays); rank = 1 + candidates scoring at least the target, others.
    let hits = 0;
    let ndcg = 0;
    for (const q of sample.sequences) {
      const idx = q.history.map((id) => data.vocabulary.indexOf(id));
      const target = data.vocabulary.indexOf(q.target);
      const L = model.maxLength;
      const row = tf.tidy(() =>
        tf
          .slice(
            model.apply(params, tf.tensor2d(leftPadded(idx, L), [1, L], 'int32'), {
              training: false,
            }),
            [0, L - 1, 0],
            [1, 1, 31],
          )
          .dataSync(),
      );
      let rank = 1;
      for (let i = 1; i < 31; i++)
        if (i !== target && !idx.includes(i) && row[i] >= row[target]) rank++;
      if (rank <= 10) {
        hits++;
        ndcg += 1 / Math.log2(rank + 1);
      }
    }
    expect(result.users).toBe(15);
    expect(result.metrics['HR@10']).toBeCloseTo(hits / 15, 10);
    expect(result.metrics['NDCG@10']).toBeCloseTo(ndcg / 15, 6);
    expect(hits).toBeGreaterThan(0);
    tf.dispose([data.latent, data.decoder, ...Object.values(params)]);
  });

  it('refuses a sample from other data, or with items the data does not have', () => {
    const data = fixtureData();
    const model = studentModels.get('sasrec').create(studentDefaults(data).hyperParameters, {
      vocabSize: 31,
      maxLength: 6,
    });
    const params = model.init(1);
    const sample = fixtureSample();
    expect(() =>
      evaluateOnSample(model, params, data.vocabulary, 'another-fingerprint', sample, 'e.json'),
    ).toThrow('e.json comes from other data');
    const unknown = {
      ...sample,
      sequences: [{ history: ['item-1', 'item-999'], target: 'item-2' }],
    };
    expect(() =>
      evaluateOnSample(model, params, data.vocabulary, data.sourceFingerprint, unknown, 'e.json'),
    ).toThrow('e.json: item "item-999" of sequences[0] is not in the Farzi Data\'s vocabulary');
    tf.dispose([data.latent, data.decoder, ...Object.values(params)]);
  });

  it('names what is wrong with a file that is not a sample', () => {
    expect(() => parseEvalSample('{', 'a.json')).toThrow('a.json is not JSON');
    expect(() => parseEvalSample('{"format":"x"}', 'a.json')).toThrow(
      'a.json is not an evaluation sample',
    );
    const good = fixtureSample();
    expect(() => parseEvalSample(JSON.stringify({ ...good, sequences: [] }), 'a.json')).toThrow(
      '"sequences" is empty',
    );
    const bad = { ...good, sequences: [good.sequences[0], { history: [], target: 'item-1' }] };
    expect(() => parseEvalSample(JSON.stringify(bad), 'a.json')).toThrow(
      'a.json: sequences[1] should be',
    );
    expect(parseEvalSample(JSON.stringify(good), 'a.json').sequences).toHaveLength(15);
  });
});
