import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import { selectBackend } from '../backend/selectBackend';
import { availableEmbeddedBackends } from '../backend/wasmNative';
import { RunError } from '../errors/FarziError';
import type { Params } from '../model/Model';
import { createOptimizer, optimizerConfig } from '../optim/createOptimizer';
import type { Rng } from '../random/Rng';
import { tempDir } from '../testing/tempFiles';
import { tinyModel } from '../testing/TinyModel';
import { oneHotSource, toySource, toySplit } from '../testing/toyData';
import { loadCheckpoint } from './checkpoint';
import { RunDirectory } from './RunDirectory';
import { Trainer, TrainerOptions } from './Trainer';
import type { Batch, TrainingSource } from './TrainingSource';

const split = toySplit();
const V = split.vocab.size;
const L = 6;

function options(overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    model: tinyModel(V, L, 8),
    source: toySource(split, L),
    optimizer: createOptimizer(optimizerConfig(), 0.05),
    epochs: 3,
    batchSize: 4,
    seed: 7,
    ...overrides,
  };
}

function values(params: Params): number[] {
  return Object.keys(params)
    .sort()
    .flatMap((n) => Array.from(params[n].dataSync()));
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.each(availableEmbeddedBackends())('Trainer on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('overfits a toy data set', async () => {
    const losses: number[] = [];
    await new Trainer(
      options({ epochs: 40, onProgress: (e) => e.type === 'epoch' && losses.push(e.loss) }),
    ).run();
    expect(losses[losses.length - 1]).toBeLessThan(0.35 * losses[0]);
  });

  it('is deterministic given the seed, with dropout on', async () => {
    const model = tinyModel(V, L, 8, 0.3);
    const a = await new Trainer(options({ model })).run();
    const b = await new Trainer(options({ model })).run();
    const c = await new Trainer(options({ model, seed: 8 })).run();
    expect(values(a.params)).toEqual(values(b.params));
    expect(values(a.params)).not.toEqual(values(c.params));
  });

  it('trains the same on one-hot soft sequences as on ids', async () => {
    const hard = await new Trainer(options()).run();
    const soft = await new Trainer(options({ source: oneHotSource(toySource(split, L), V) })).run();
    const h = values(hard.params);
    values(soft.params).forEach((v, i) => expect(v).toBeCloseTo(h[i], 4));
  });

  it('does not leak tensors: the count after epoch 1 equals the count after epoch 3', async () => {
    const counts: number[] = [];
    const validation = {
      metric: 'score',
      higherIsBetter: true,
      run: async () => ({ score: Math.random() }),
    };
    const result = await new Trainer(
      options({
        validation,
        onProgress: (e) => e.type === 'epoch' && counts.push(tf.memory().numTensors),
      }),
    ).run();
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
    tf.dispose([...Object.values(result.params), ...Object.values(result.bestParams)]);
  });

  it('stops early when the validation metric stops improving and keeps the best parameters', async () => {
    const scores = [0.5, 0.6, 0.55, 0.54, 0.53, 0.9];
    let call = 0;
    const validation = {
      metric: 'score',
      higherIsBetter: true,
      run: async () => ({ score: scores[call++] }),
    };
    const result = await new Trainer(options({ epochs: 6, validation, patience: 2 })).run();
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsRun).toBe(4);
    expect(result.bestEpoch).toBe(2);
    expect(result.bestMetric).toBe(0.6);
  });
});

describe('checkpoints, resume and failure', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('resumes an interrupted run to the same final parameters as an uninterrupted one', async () => {
    const model = tinyModel(V, L, 8, 0.2);
    const full = new RunDirectory(`${tmp.dir}/full`);
    full.prepare({ a: 1 }, false);
    const straight = await new Trainer(options({ model, epochs: 4, store: full })).run();

    const parted = new RunDirectory(`${tmp.dir}/parted`);
    parted.prepare({ a: 1 }, false);
    await new Trainer(options({ model, epochs: 2, store: parted })).run();
    expect(loadCheckpoint(parted.lastCheckpoint).meta.epoch).toBe(2);
    const resumed = await new Trainer(
      options({ model, epochs: 4, store: parted, resume: true }),
    ).run();
    expect(values(resumed.params)).toEqual(values(straight.params));
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('stops on a non-finite loss naming epoch and step, leaving the last good checkpoint intact', async () => {
    const good = toySource(split, L);
    let epochCount = 0;
    const poisoned: TrainingSource = {
      ...good,
      *batches(batchSize: number, rng: Rng): Generator<Batch> {
        epochCount++;
        let step = 0;
        for (const b of oneHotSource(good, V).batches(batchSize, rng)) {
          step++;
          if (epochCount === 2 && step === 2 && b.kind === 'soft') {
            const bad = tf.mul(b.inputs, NaN) as tf.Tensor3D;
            b.inputs.dispose();
            yield { ...b, inputs: bad };
          } else yield b;
        }
      },
    };
    const dir = new RunDirectory(`${tmp.dir}/nan`);
    dir.prepare({ a: 1 }, false);
    const before = tf.memory().numTensors;
    await expect(new Trainer(options({ source: poisoned, store: dir })).run()).rejects.toThrow(
      RunError,
    );
    expect(loadCheckpoint(dir.lastCheckpoint).meta.epoch).toBe(1);
    epochCount = 0;
    await expect(new Trainer(options({ source: poisoned, store: dir })).run()).rejects.toThrow(
      /the loss became NaN at epoch 2, step 2; the last good checkpoint \(after epoch 1\) is intact/,
    );
    expect(fs.readdirSync(`${tmp.dir}/nan/checkpoints`).filter((f) => f.endsWith('.tmp'))).toEqual(
      [],
    );
    expect(tf.memory().numTensors - before).toBeLessThan(20);
  });

  it('calls onEpochEnd after every epoch with the current parameters', async () => {
    const seen: { epoch: number; first: number }[] = [];
    const result = await new Trainer(
      options({
        epochs: 3,
        onEpochEnd: (epoch, params) =>
          seen.push({ epoch, first: Object.values(params)[0].dataSync()[0] }),
      }),
    ).run();
    expect(seen.map((s) => s.epoch)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((s) => s.first)).size).toBe(3); // the parameters moved each epoch
    expect(seen[2].first).toBe(Object.values(result.params)[0].dataSync()[0]);
    tf.dispose(Object.values(result.params));
  });

  it('refuses to overwrite a run directory without resume; resuming an empty one starts afresh', () => {
    const dir = new RunDirectory(`${tmp.dir}/taken`);
    dir.prepare({ a: 1 }, false);
    fs.writeFileSync(dir.lastCheckpoint, 'x');
    dir.close();
    expect(() => new RunDirectory(`${tmp.dir}/taken`).prepare({ a: 1 }, false)).toThrow(
      /already holds a run; pass --resume/,
    );
    const empty = new RunDirectory(`${tmp.dir}/empty`);
    expect(empty.prepare({ a: 1 }, true)).toBe(false);
    empty.close();
  });

  it('resumes only with the same config, naming what differs (the backend may change)', () => {
    const dir = new RunDirectory(`${tmp.dir}/resume-config`);
    const config = { backend: 'wasm', train: { epochs: 3, learningRate: 0.01 }, model: { d: 4 } };
    dir.prepare(config, false);
    fs.writeFileSync(dir.lastCheckpoint, 'x');
    const ignoreEpochs = (c: Record<string, unknown>) => {
      delete (c.train as Record<string, unknown>).epochs;
    };
    const changed = { ...config, backend: 'cpu', train: { epochs: 9, learningRate: 0.01 } };
    expect(() => dir.prepare(changed, true, ignoreEpochs)).not.toThrow();
    const different = { ...config, train: { epochs: 3, learningRate: 0.1 }, model: { d: 8 } };
    expect(() => dir.prepare(different, true, ignoreEpochs)).toThrow(
      /model\.d: was 4, now 8; train\.learningRate: was 0\.01, now 0\.1\./,
    );
  });
});
