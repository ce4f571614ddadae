import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
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
import { farziSource, farziSourceFactory } from './farziSource';

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
