import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { ContainerModule } from 'inversify';
import {
  createContainer,
  createSource,
  distillTools,
  ExperimentConfig,
  ModelFactory,
  resolveServices,
  Rng,
  selectBackend,
  TYPES,
  validateConfig,
} from '@farzi/core';
import { tinyModel, toySplit } from '@farzi/core/testing';
import { metricsModule } from '@farzi/metrics';
import { loadTd3Data } from './td3Data';
import { distillTd3Module } from './td3Module';

const tinyFactory: ModelFactory = {
  name: 'tiny',
  description: 'test model',
  schema: { type: 'object', properties: {} },
  create: (_h, ctx) => tinyModel(ctx.vocabSize, ctx.maxLength, 4),
};
const services = resolveServices(
  createContainer([
    metricsModule,
    distillTd3Module,
    new ContainerModule(({ bind }) => {
      bind(TYPES.ModelFactory).toConstantValue(tinyFactory);
    }),
  ]),
);
const tools = distillTools(services);

function config(distill: Record<string, unknown>): ExperimentConfig {
  return validateConfig(
    {
      seed: 5,
      backend: 'wasm',
      data: { format: 'presequenced', path: 'unused', maxLength: 6 },
      model: { name: 'tiny' },
      train: { learningRate: 0.01, epochs: 2 },
      eval: { ks: [5], metric: 'NDCG@5' },
      distill: {
        method: 'td3',
        size: [4, 5],
        ranks: { users: 2, positions: 3, items: 4 },
        innerSteps: 2,
        horizon: 4,
        crop: 4,
        outerTeacher: { featureWeight: 0 },
        realBatchSize: 8,
        evalEvery: 2,
        student: { epochs: 3 },
        ...distill,
      },
    },
    services,
  );
}

describe('TD3 distiller', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td3-distill-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  const split = toySplit(16, 9, 11);
  const distiller = services.distillers.get('td3');
  const distill = (name: string, settings: Record<string, unknown>, resume = false) =>
    distiller.distill({
      config: config(settings),
      split,
      tools,
      outDir: path.join(dir, name),
      resume,
    });

  /**
   * Distils into `name` killed at outer step `killAt`'s report, then resumed; checks that the last
   * data equals the uninterrupted run `straight`'s.
   */
  const killedAndResumedLike = async (
    name: string,
    settings: Record<string, unknown>,
    killAt: number,
    straight: string,
  ) => {
    const outDir = path.join(dir, name);
    const request = { config: config(settings), split, tools, outDir };
    await expect(
      distiller.distill({
        ...request,
        resume: false,
        onProgress: (e) => {
          if (e.type === 'outer' && e.step === killAt) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    await distiller.distill({ ...request, resume: true });
    const a = loadTd3Data(path.join(dir, straight, 'td3-data-last.safetensors'));
    const b = loadTd3Data(path.join(outDir, 'td3-data-last.safetensors'));
    for (const k of ['users', 'positions', 'items', 'core'] as const) {
      expect(Array.from(b.factors[k].dataSync())).toEqual(Array.from(a.factors[k].dataSync()));
    }
    tf.dispose([...Object.values(a.factors), ...Object.values(b.factors)]);
  };

  it('distils into a data file that trains any model, naming its source, with no tensor left', async () => {
    const before = tf.memory().numTensors;
    const result = await distill('run', { outerSteps: 3 });
    expect(tf.memory().numTensors).toBe(before);
    for (const f of [
      'td3-data.safetensors',
      'td3-data-step0.safetensors',
      'td3-data-last.safetensors',
      'distill-state.safetensors',
      'summary.json',
    ]) {
      expect(fs.existsSync(path.join(dir, 'run', f))).toBe(true);
    }
    expect(result.source).toEqual({
      name: 'td3',
      path: path.resolve(dir, 'run', 'td3-data.safetensors'),
    });
    expect(result.summary).toMatchObject({
      method: 'td3',
      steps: 3,
      budget: { sequences: 4, length: 5, events: 20 },
    });
    const details = result.summary.details as { meanInnerSteps: number };
    // RaT-BPTT: between T (2) and the horizon (4) inner steps per outer step.
    expect(details.meanInnerSteps).toBeGreaterThanOrEqual(2);
    expect(details.meanInnerSteps).toBeLessThanOrEqual(4);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
    expect(summary.history.filter((h: { valid?: unknown }) => h.valid)).toHaveLength(3); // steps 0, 2, 3
    const data = loadTd3Data(result.dataFile);
    expect(data.factors.core.shape).toEqual([2, 3, 4]);
    tf.dispose(Object.values(data.factors));
    const train = config({});
    train.train.source = { ...result.source };
    const source = createSource(train, split, services);
    expect(source.numSequences).toBe(4);
    const [batch] = [...source.batches(4, new Rng(1))];
    expect(batch.kind).toBe('soft');
    if (batch.kind === 'soft') tf.dispose([batch.inputs, batch.targets, batch.mask]);
    source.dispose?.();
  });

  it('resumes an interrupted distillation to the same data as an uninterrupted one', async () => {
    await distill('whole', { outerSteps: 4, evalEvery: 0 });
    await distill('parted', { outerSteps: 2, evalEvery: 0 });
    await distill('parted', { outerSteps: 4, evalEvery: 0 }, true);
    const a = loadTd3Data(path.join(dir, 'whole', 'td3-data-last.safetensors'));
    const b = loadTd3Data(path.join(dir, 'parted', 'td3-data-last.safetensors'));
    for (const k of ['users', 'positions', 'items', 'core'] as const) {
      expect(Array.from(b.factors[k].dataSync())).toEqual(Array.from(a.factors[k].dataSync()));
    }
    tf.dispose([...Object.values(a.factors), ...Object.values(b.factors)]);
  });

  it('backs off to the best factors with a smaller outer step when validation falls (outerBackoff), and resumes it', async () => {
    const settings = {
      outerSteps: 6,
      evalEvery: 1,
      outerLearningRate: 1,
      outerBackoff: { factor: 0.5, patience: 1 },
    };
    const messages: string[] = [];
    const before = tf.memory().numTensors;
    const done = await distiller.distill({
      config: config(settings),
      split,
      tools,
      outDir: path.join(dir, 'backoff-straight'),
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    // The toy's outer step is far too large: validation falls below step 0's, back to its factors
    // with the outer learning rate halved at each back-off.
    const backoffs = messages.filter((m) => /back to that data/.test(m));
    expect(backoffs.length).toBeGreaterThanOrEqual(2);
    expect(backoffs[0]).toMatch(
      /^step \d: validation below the best \(step \d\) 1 time\(s\), the latest by \d[\d.e+]*%: back to that data, outer learning rate 0\.500$/,
    );
    const history = JSON.parse(
      fs.readFileSync(path.join(dir, 'backoff-straight', 'summary.json'), 'utf8'),
    ).history as { step: number; backoff?: { to: number; outerLearningRate: number } }[];
    const first = history.find((h) => h.backoff);
    expect(first?.backoff).toEqual({
      to: expect.any(Number),
      outerLearningRate: 0.5,
      fall: expect.any(Number),
    });
    expect(done.summary.bestStep).toBe(first?.backoff?.to);

    // Killed after step 3, resumed: the kept factors and the halved steps come back from the state
    // file, and the data is the straight run's.
    await killedAndResumedLike('backoff-parted', settings, 4, 'backoff-straight');
  });

  it('lets a fall within outerBackoff.threshold pass (the same run as above, never backing off)', async () => {
    const messages: string[] = [];
    await distiller.distill({
      config: config({
        outerSteps: 6,
        evalEvery: 1,
        outerLearningRate: 1,
        outerBackoff: { factor: 0.5, patience: 1, threshold: 1e6 },
      }),
      split,
      tools,
      outDir: path.join(dir, 'backoff-lenient'),
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    expect(messages.filter((m) => /back to that data/.test(m))).toEqual([]);
    // Validation did fall (as in the run above): it was the threshold that let it pass.
    expect(messages.filter((m) => /^step \d: valid .*\d$/.test(m)).length).toBeGreaterThan(0);
  });

  it('starts its inner loops along a student of the current data (innerInit "student"), and resumes them', async () => {
    const settings = {
      outerSteps: 4,
      evalEvery: 2,
      innerInit: 'student',
      studentTrajectory: { every: 1, refreshEvery: 2 },
    };
    const messages: string[] = [];
    const before = tf.memory().numTensors;
    await distiller.distill({
      config: config(settings),
      split,
      tools,
      outDir: path.join(dir, 'pool-straight'),
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    // The validation students of steps 0 and 2 (three epochs each) fill the pool.
    expect(messages.filter((m) => /inner loops now start from 3 checkpoints/.test(m))).toEqual([
      'inner loops now start from 3 checkpoints of a student trained on the data of outer step 0',
      'inner loops now start from 3 checkpoints of a student trained on the data of outer step 2',
    ]);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(dir, 'pool-straight', 'student-pool', 'manifest.json'), 'utf8'),
    );
    expect(manifest.step).toBe(2);
    // Not the random starts' data.
    await distill('pool-random', { ...settings, innerInit: 'random' });
    const random = loadTd3Data(path.join(dir, 'pool-random', 'td3-data-last.safetensors'));
    const straight = loadTd3Data(path.join(dir, 'pool-straight', 'td3-data-last.safetensors'));
    expect(Array.from(straight.factors.core.dataSync())).not.toEqual(
      Array.from(random.factors.core.dataSync()),
    );
    // Killed after step 3 and resumed: the pool comes back from its directory, the same data.
    await killedAndResumedLike('pool-parted', settings, 3, 'pool-straight');
    tf.dispose([...Object.values(random.factors), ...Object.values(straight.factors)]);
  });

  it('starts from the factors fitted to the teacher’s sequences (init "teacher"), the fit closing the gap', async () => {
    const kl = (name: string) => {
      const log = fs.readFileSync(path.join(dir, name, 'log.jsonl'), 'utf8');
      const m = /fitted into the Tucker factors: .*\(KL (-?[\d.]+) nats\/position\)/.exec(log);
      if (!m) throw new Error(`no fit reported in ${name}`);
      return Number(m[1]);
    };
    const settings = { init: 'teacher', outerSteps: 0, evalEvery: 0 };
    await distill('fit-1', { ...settings, teacher: { fitSteps: 1 } });
    await distill('fit-60', { ...settings, teacher: { fitSteps: 60 } });
    // The teacher was trained here (no checkpoint given), once per run directory.
    expect(fs.existsSync(path.join(dir, 'fit-60', 'teacher', 'metrics.json'))).toBe(true);
    expect(kl('fit-60')).toBeLessThan(kl('fit-1') * 0.7);
    const fitted = loadTd3Data(path.join(dir, 'fit-60', 'td3-data-step0.safetensors'));
    const random = loadTd3Data(path.join(dir, 'whole', 'td3-data-step0.safetensors'));
    expect(Array.from(fitted.factors.core.dataSync())).not.toEqual(
      Array.from(random.factors.core.dataSync()),
    );
    tf.dispose([...Object.values(fitted.factors), ...Object.values(random.factors)]);
  });

  it('refuses impossible settings before any work', async () => {
    for (const [settings, message] of [
      [
        { outerTeacher: { featureWeight: 1 } },
        /feature alignment needs hidden states, and the tiny model exposes none/,
      ],
      [{ horizon: 1 }, /distill\.horizon: 1 is less than distill\.innerSteps/],
      [{ crop: 9 }, /distill\.crop: 9 positions; expected 0 \(all\) or 2\.\.5/],
    ] as const) {
      const out = `refused-${Math.random()}`;
      await expect(distill(out, settings as Record<string, unknown>)).rejects.toThrow(message);
      expect(fs.existsSync(path.join(dir, out))).toBe(false);
    }
  });
});
