import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, saveCheckpoint, selectBackend } from '@farzi/core';
import { decodeFarzi } from './farziData';
import { loadTeacher, realWindows, teacherTargets } from '@farzi/distill-kit';
import { fitFarzi } from './teacher';
import { farziLogits } from './farziDataFormat';
import { teacherFactors, teacherFactorSize } from './teacherFactors';
import type { Model, Params } from '@farzi/core';
import { tinyAttentionModel } from './testing/tinyAttentionModel';

describe('teacher initialisation of Farzi Data', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-teacher-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('takes the last ξ items of distinct users long enough', () => {
    const seqs = [
      Int32Array.from([1, 2, 3, 4, 5]),
      Int32Array.from([6, 7]),
      Int32Array.from([8, 9, 10]),
      Int32Array.from([11, 12, 13, 14]),
    ];
    const ids = realWindows(seqs, 3, 3, new Rng(3));
    const rows = [0, 1, 2].map((i) => Array.from(ids.subarray(i * 3, i * 3 + 3)).join(','));
    expect(new Set(rows)).toEqual(new Set(['3,4,5', '8,9,10', '12,13,14']));
    // Too few long users: shorter ones are repeated from their start.
    const short = realWindows([Int32Array.from([6, 7])], 1, 3, new Rng(1));
    expect(Array.from(short)).toEqual([6, 7, 6]);
    expect(() => realWindows([], 1, 3, new Rng(1))).toThrow('the training data has no sequences');
  });

  it("mixes each observed item with the teacher's prediction from the items before it", () => {
    const v = 6;
    const model = tinyAttentionModel(v, 4, 4);
    const teacher = model.init(2);
    const ids = Int32Array.from([1, 3, 5, 2, 2, 4, 1, 5]);
    const mix = 0.7;
    const temperature = 0.5;
    const x = teacherTargets(model, teacher, ids, [2, 4], mix, temperature).arraySync();
    const logits = model
      .apply(teacher, tf.slice(tf.tensor2d(ids, [2, 4], 'int32'), [0, 0], [2, 3]), {
        training: false,
      })
      .arraySync();
    for (let i = 0; i < 2; i++) {
      for (let t = 0; t < 4; t++) {
        const item = ids[i * 4 + t];
        let expected: number[];
        if (t === 0) {
          expected = Array.from({ length: v }, (_, j) => (j === item ? 1 : 0));
        } else {
          // By hand: softmax over items 1..v−1 of the logits at t − 1, divided by the temperature.
          const row = logits[i][t - 1];
          const e = row.map((l, j) => (j === 0 ? 0 : Math.exp(l / temperature)));
          const z = e.reduce((a, b) => a + b, 0);
          expected = e.map((p, j) => (1 - mix) * (j === item ? 1 : 0) + (mix * p) / z);
        }
        x[i][t].forEach((p, j) => expect(p).toBeCloseTo(expected[j], 5));
      }
    }
    // mix 0: the real items, one-hot.
    const hard = teacherTargets(model, teacher, ids, [2, 4], 0, 1);
    expect(Array.from(tf.argMax(hard, -1).dataSync())).toEqual(Array.from(ids));
    expect(tf.sum(hard).dataSync()[0]).toBe(8);
  });

  it('fits F·M to targets it can represent, and leaks no tensor', () => {
    const v = 9;
    const trueLatent = tf.randomNormal([3, 4, 2], 0, 1.5, 'float32', 7);
    const trueDecoder = tf.randomNormal([2, v], 0, 1.5, 'float32', 8);
    const targets = decodeFarzi(trueLatent, trueDecoder, 1);
    const before = tf.memory().numTensors;
    const fit = fitFarzi(targets, 2, 1, { steps: 400, learningRate: 0.05, initStd: 0.1, seed: 1 });
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(fit.latent.shape).toEqual([3, 4, 2]);
    expect(fit.decoder.shape).toEqual([2, v]);
    // The cross-entropy of an exact fit is the targets' entropy.
    expect(fit.loss - fit.targetEntropy).toBeLessThan(2e-3);
    expect(fit.loss - fit.targetEntropy).toBeGreaterThan(-1e-4);
    const decoded = decodeFarzi(fit.latent, fit.decoder, 1);
    expect(tf.max(tf.abs(tf.sub(decoded, targets))).dataSync()[0]).toBeLessThan(0.02);
    tf.dispose([trueLatent, trueDecoder, targets, fit.latent, fit.decoder, decoded]);
  });

  it('keeps the observed items on top when fitting a low-rank decoder to mixed sequences', () => {
    const v = 30;
    const model = tinyAttentionModel(v, 9, 4);
    const teacher = model.init(4);
    const rng = new Rng(5);
    const ids = Int32Array.from({ length: 4 * 10 }, () => 1 + rng.int(v - 1));
    const targets = teacherTargets(model, teacher, ids, [4, 10], 0.4, 1);
    const fit = fitFarzi(targets, 8, 1, { steps: 300, learningRate: 0.05, initStd: 0.1, seed: 2 });
    const decoded = decodeFarzi(fit.latent, fit.decoder, 1);
    const top = Array.from(tf.argMax(decoded, -1).dataSync());
    const agree = top.filter((item, p) => item === ids[p]).length;
    expect(agree).toBeGreaterThanOrEqual(38);
    tf.dispose([targets, fit.latent, fit.decoder, decoded]);
  });

  it('chunks of sequences give the same targets and the same fit as one pass (large vocabularies)', () => {
    const v = 30;
    const model = tinyAttentionModel(v, 9, 4);
    const teacher = model.init(6);
    const rng = new Rng(9);
    const ids = Int32Array.from({ length: 5 * 10 }, () => 1 + rng.int(v - 1));
    const whole = teacherTargets(model, teacher, ids, [5, 10], 0.6, 0.8);
    const before = tf.memory().numTensors;
    const chunked = teacherTargets(model, teacher, ids, [5, 10], 0.6, 0.8, 2);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(tf.max(tf.abs(tf.sub(whole, chunked))).dataSync()[0]).toBeLessThan(1e-6);
    const options = { steps: 40, learningRate: 0.05, initStd: 0.1, seed: 3 };
    const one = fitFarzi(whole, 4, 1, options);
    const beforeFit = tf.memory().numTensors;
    const parts = fitFarzi(whole, 4, 1, { ...options, chunk: 2 });
    expect(tf.memory().numTensors).toBe(beforeFit + 2);
    // The same Adam steps on the same loss, summed in three pieces: float32 rounding apart.
    expect(Math.abs(parts.loss - one.loss)).toBeLessThan(1e-4);
    expect(Math.abs(parts.targetEntropy - one.targetEntropy)).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(parts.latent, one.latent))).dataSync()[0]).toBeLessThan(1e-3);
    expect(tf.max(tf.abs(tf.sub(parts.decoder, one.decoder))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([whole, chunked, one.latent, one.decoder, parts.latent, parts.decoder]);
  });

  it("starts the fit from the teacher's own factors: exact after the first position, with or without a bias", () => {
    const v = 7;
    const base = tinyAttentionModel(v, 5, 4);
    const tied: Model = {
      ...base,
      outputLayer: (p: Params) => ({ weights: p.embedding as tf.Tensor2D, itemAxis: 0 }),
    };
    const biased: Model = {
      ...base,
      init: (seed) => ({ ...base.init(seed), out: tf.randomNormal([v], 0, 1, 'float32', 9) }),
      apply: (p, x, o) => tf.add(base.apply(p, x, o), p.out) as tf.Tensor3D,
      outputLayer: (p: Params) => ({
        weights: p.embedding as tf.Tensor2D,
        itemAxis: 0,
        bias: p.out as tf.Tensor1D,
      }),
    };
    const ids = Int32Array.from([1, 3, 5, 2, 6, 2, 4, 1, 5, 3]);
    for (const [model, size] of [
      [tied, 4],
      [biased, 5],
    ] as const) {
      const teacher = model.init(3);
      expect(teacherFactorSize(model, teacher)).toBe(size);
      const start = teacherFactors(model, teacher, ids, [2, 5], 0.7, 0.5);
      expect(start.latent.shape).toEqual([2, 5, size]);
      expect(start.decoder.shape).toEqual([size, v]);
      const decoded = tf.softmax(farziLogits(start.latent, start.decoder, 0.7)).arraySync();
      const targets = teacherTargets(model, teacher, ids, [2, 5], 1, 0.5).arraySync();
      for (let i = 0; i < 2; i++) {
        for (let t = 1; t < 5; t++) {
          decoded[i * 5 + t].forEach((p, j) => expect(p).toBeCloseTo(targets[i][t][j], 5));
        }
      }
      // The fit from there keeps the exact positions and learns the first; from random it is far.
      const target3 = tf.tensor3d(targets);
      const options = { steps: 60, learningRate: 0.01, initStd: 0.1, seed: 4 };
      const fromTeacher = fitFarzi(target3, size, 0.7, { ...options, start });
      const fromRandom = fitFarzi(target3, size, 0.7, options);
      expect(fromTeacher.loss - fromTeacher.targetEntropy).toBeLessThan(
        (fromRandom.loss - fromRandom.targetEntropy) / 2,
      );
      tf.dispose([
        target3,
        fromTeacher.latent,
        fromTeacher.decoder,
        fromRandom.latent,
        fromRandom.decoder,
        ...Object.values(teacher),
      ]);
    }
    expect(() => teacherFactorSize(base, base.init(1))).toThrow(
      /fitStart "teacher" needs a model that exposes its hidden states and output layer/,
    );
  });

  it('loads a teacher from a run directory and refuses one that does not fit', () => {
    const model = tinyAttentionModel(6, 4, 4);
    const params = model.init(1);
    const run = path.join(dir, 'run');
    fs.mkdirSync(path.join(run, 'checkpoints'), { recursive: true });
    const meta = {
      epoch: 1,
      rng: [0, 0, 0, 0] as [number, number, number, number],
      bestMetric: null,
      bestEpoch: null,
      badEvaluations: 0,
      history: [],
    };
    saveCheckpoint(path.join(run, 'checkpoints', 'best.safetensors'), { params, meta });
    fs.writeFileSync(path.join(run, 'data.json'), JSON.stringify({ fingerprint: 'sha256:same' }));
    const loaded = loadTeacher(run, model, 'sha256:same');
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(params).sort());
    for (const n of Object.keys(params))
      expect(Array.from(loaded[n].dataSync())).toEqual(Array.from(params[n].dataSync()));
    expect(() => loadTeacher(run, model, 'sha256:other')).toThrow(
      /was trained on different data \(fingerprint sha256:same/,
    );
    expect(() => loadTeacher(run, tinyAttentionModel(7, 4, 4), 'sha256:same')).toThrow(
      /does not fit the configured tiny-attention model: parameter "embedding" has shape \[6, 4\], expected \[7, 4\]/,
    );
    expect(() => loadTeacher(path.join(dir, 'nowhere'), model, 'x')).toThrow(
      /distill.teacher.checkpoint: no checkpoint at .*nowhere/,
    );
    tf.dispose([...Object.values(params), ...Object.values(loaded)]);
  });
});
