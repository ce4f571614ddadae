import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import {
  ExperimentConfig,
  LeaveOneOutSplit,
  readSafetensors,
  Rng,
  SafetensorsContent,
  selectBackend,
  Vocabulary,
  writeSafetensors,
} from '@farzi/core';
import { checkVocabulary, decodeFarzi, loadFarziData, saveFarziData } from './farziData';
import { farziSource } from './farziSource';
import { farziSourceFactory } from './farziSourceFactory';

describe('Farzi Data', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-data-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  const vocab = Vocabulary.fromRaw(['a', 'b', 'c', 'd']);
  const make = () => ({
    latent: tf.randomNormal([3, 4, 2], 0, 1, 'float32', 1) as tf.Tensor3D,
    decoder: tf.randomNormal([2, 5], 0, 1, 'float32', 2) as tf.Tensor2D,
    temperature: 0.5,
    vocabulary: vocab.tokens,
    sourceFingerprint: 'sha256:abc',
    info: { budget: 12 },
  });

  it("decodes with a sparse support: a softmax over each position's k largest logits (checked by hand)", () => {
    const V = 9;
    const F = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 5);
    const M = tf.randomNormal([4, V], 0, 1, 'float32', 6);
    const k = 3;
    const x = decodeFarzi(F, M, 0.7, k).arraySync() as number[][][];
    const logits = tf
      .tidy(() => tf.div(tf.matMul(tf.reshape(F, [6, 4]), M), 0.7))
      .arraySync() as number[][];
    logits.forEach((row, p) => {
      // Padding (index 0) is never in the support; the k largest of the others are.
      const top = row
        .map((l, j) => [l, j])
        .slice(1)
        .sort((a, b) => b[0] - a[0])
        .slice(0, k)
        .map(([, j]) => j);
      const z = top.reduce((a, j) => a + Math.exp(row[j]), 0);
      const got = x[Math.floor(p / 3)][p % 3];
      got.forEach((q, j) => expect(q).toBeCloseTo(top.includes(j) ? Math.exp(row[j]) / z : 0, 5));
    });
    // support 0, or as large as the catalogue: every item.
    const dense = decodeFarzi(F, M, 0.7).dataSync();
    expect(Array.from(decodeFarzi(F, M, 0.7, V - 1).dataSync())).toEqual(Array.from(dense));
    tf.dispose([F, M]);
  });

  it('differentiates the sparse decoding within its support (finite differences)', () => {
    const F = tf.randomNormal([1, 2, 3], 0, 1, 'float32', 7);
    const M = tf.randomNormal([3, 8], 0, 1, 'float32', 8);
    const w = tf.randomNormal([1, 2, 8], 0, 1, 'float32', 9);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(decodeFarzi(a, b, 1, 3), w)) as tf.Scalar;
    const [dF, dM] = tf.grads(f)([F, M]);
    const h = 1e-2;
    const fd = (t: tf.Tensor, i: number, other: tf.Tensor, first: boolean) => {
      const base = t.dataSync().slice();
      const at = (delta: number) => {
        const moved = base.slice();
        moved[i] += delta;
        const x = tf.tensor(moved, t.shape);
        const v = (first ? f(x, other) : f(other, x)).dataSync()[0];
        x.dispose();
        return v;
      };
      return (at(h) - at(-h)) / (2 * h);
    };
    const gF = dF.dataSync();
    for (let i = 0; i < gF.length; i++) expect(gF[i]).toBeCloseTo(fd(F, i, M, true), 2);
    const gM = dM.dataSync();
    for (let i = 0; i < gM.length; i++) expect(gM[i]).toBeCloseTo(fd(M, i, F, false), 2);
    // Items outside every position's support get no gradient in their decoder column.
    const x = decodeFarzi(F, M, 1, 3).dataSync();
    for (let j = 1; j < 8; j++) {
      if (x[j] === 0 && x[8 + j] === 0) for (let r = 0; r < 3; r++) expect(gM[r * 8 + j]).toBe(0);
    }
    tf.dispose([F, M, w, dF, dM]);
  });

  it('keeps the support in the file and refuses a damaged one', () => {
    const file = path.join(dir, 'support.safetensors');
    saveFarziData(file, { ...make(), support: 2 });
    const back = loadFarziData(file);
    expect(back.support).toBe(2);
    const source = farziSource(back, 8);
    const [batch] = [...source.batches(3, new Rng(1))];
    if (batch.kind !== 'soft') throw new Error('expected soft batches');
    // Every decoded position holds mass on 2 items.
    const nonzero = tf.tidy(() => tf.sum(tf.cast(tf.greater(batch.targets, 0), 'float32'), -1));
    expect(Array.from(nonzero.dataSync())).toEqual(new Array(9).fill(2));
    tf.dispose([batch.inputs, batch.targets, batch.mask, nonzero]);
    source.dispose?.();
    const content = readSafetensors(file);
    writeSafetensors(file, { ...content, metadata: { ...content.metadata, support: '1.5' } });
    expect(() => loadFarziData(file)).toThrow(
      /support\.safetensors: its metadata "support" is "1\.5"; expected a whole number ≥ 0/,
    );
  });

  it('decodes to distributions with no mass on padding', () => {
    const x = decodeFarzi(make().latent, make().decoder, 0.5);
    expect(x.shape).toEqual([3, 4, 5]);
    const sums = tf.sum(x, -1).dataSync();
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5));
    expect(tf.max(tf.slice(x, [0, 0, 0], [3, 4, 1])).dataSync()[0]).toBe(0);
  });

  it('round-trips through the safetensors file exactly, and the header is standard safetensors', () => {
    const data = make();
    const file = path.join(dir, 'farzi-data.safetensors');
    saveFarziData(file, data);
    const back = loadFarziData(file);
    expect(Array.from(back.latent.dataSync())).toEqual(Array.from(data.latent.dataSync()));
    expect(Array.from(back.decoder.dataSync())).toEqual(Array.from(data.decoder.dataSync()));
    expect([back.temperature, back.vocabulary, back.sourceFingerprint, back.info]).toEqual([
      0.5,
      vocab.tokens,
      'sha256:abc',
      { budget: 12 },
    ]);
    const bytes = fs.readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header.latent).toEqual({
      dtype: 'F32',
      shape: [3, 4, 2],
      data_offsets: expect.any(Array),
    });
    expect(bytes.length).toBe(8 + n + (3 * 4 * 2 + 2 * 5) * 4);
  });

  it('rejects a file of another vocabulary and a file that is not Farzi Data', () => {
    const data = make();
    expect(() => checkVocabulary('x', data, Vocabulary.fromRaw(['a', 'b', 'c', 'e']))).toThrow(
      /different item vocabulary/,
    );
    const junk = path.join(dir, 'junk.safetensors');
    fs.writeFileSync(junk, Buffer.from([1, 2, 3]));
    expect(() => loadFarziData(junk)).toThrow(/not a valid safetensors file/);
  });

  it('refuses damaged metadata and values: a temperature of 0, -1e999 or text, NaN latents, bad JSON', () => {
    const file = path.join(dir, 'damaged.safetensors');
    const damaged = (edit: (c: SafetensorsContent) => void): string => {
      saveFarziData(file, make());
      const content = readSafetensors(file);
      edit(content);
      writeSafetensors(file, content);
      return file;
    };
    for (const temperature of ['0', '-1e999', '1e999', 'warm', '']) {
      expect(() => loadFarziData(damaged((c) => (c.metadata.temperature = temperature)))).toThrow(
        /its metadata "temperature" is .*; expected a finite number above 0/,
      );
    }
    expect(() =>
      loadFarziData(damaged((c) => (c.tensors.latent.values as Float32Array).fill(NaN))),
    ).toThrow(/its latent holds NaN or infinite values/);
    expect(() => loadFarziData(damaged((c) => (c.metadata.vocabulary = '[oops')))).toThrow(
      /its metadata "vocabulary" is not valid JSON/,
    );
    expect(() => loadFarziData(damaged((c) => (c.metadata.vocabulary = '{"a":1}')))).toThrow(
      /"vocabulary" is not a list of item ids/,
    );
  });

  it('serves soft batches: inputs are positions 0..ξ−2 and targets 1..ξ−1', () => {
    const data = make();
    const source = farziSource(data, 10);
    const batches = [...source.batches(2, new Rng(1))];
    expect(batches.map((b) => b.size)).toEqual([2, 1]);
    const b = batches[0];
    if (b.kind !== 'soft') throw new Error('expected soft batches');
    expect(b.inputs.shape).toEqual([2, 3, 5]);
    expect(source.numEvents).toBe(9);
    source.dispose?.();
  });

  it('reads a file at another temperature when train.source asks for one', () => {
    const data = make();
    const file = path.join(dir, 'farzi-data-t.safetensors');
    saveFarziData(file, data);
    const context = {
      split: { kind: 'leave-one-out', vocab } as unknown as LeaveOneOutSplit,
      config: { data: { maxLength: 10 } } as ExperimentConfig,
    };
    const targetsOf = (options: Record<string, unknown>) => {
      const source = farziSourceFactory.create({ path: file, ...options }, context);
      const [b] = [...source.batches(3, new Rng(1))];
      if (b.kind !== 'soft') throw new Error('expected soft batches');
      const values = Array.from(b.targets.dataSync());
      tf.dispose([b.inputs, b.targets, b.mask]);
      source.dispose?.();
      return { values, description: source.description };
    };
    // Rows in the order Rng(1) permutes them, positions 1..3, decoded at τ directly.
    const order = new Rng(1).permutation(3);
    const at = (t: number) => {
      const x = decodeFarzi(data.latent, data.decoder, t);
      const rows = tf.gather(tf.slice(x, [0, 1, 0], [3, 3, 5]), Array.from(order));
      return Array.from(rows.dataSync());
    };
    const stored = targetsOf({});
    const softer = targetsOf({ temperature: 2 });
    stored.values.forEach((v, i) => expect(v).toBeCloseTo(at(0.5)[i], 6));
    softer.values.forEach((v, i) => expect(v).toBeCloseTo(at(2)[i], 6));
    expect(softer.values).not.toEqual(stored.values);
    expect(softer.description).toContain('read at temperature 2');
    expect(stored.description).not.toContain('read at temperature');
  });
});
