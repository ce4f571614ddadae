import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ContainerModule } from 'inversify';
import * as tf from '@tensorflow/tfjs-core';
import {
  createContainer,
  createModel,
  Trainer,
  createSource,
  ExperimentConfig,
  LeaveOneOutSplit,
  ModelFactory,
  resolveServices,
  Rng,
  selectBackend,
  TYPES,
  validateConfig,
  Vocabulary,
  distillTools,
  loadCheckpoint,
  Params,
} from '@farzi/core';
import { metricsModule } from '@farzi/metrics';
import { distillFarziModule } from './distillFarziModule';
import { decodeFarzi, loadFarziData } from './farziData';
import { studentRecipe } from './student';
import type { DistillConfig } from './distillSchema';
import { farziSource } from './farziSource';
import type { FarziCheckpointMeta } from './farziRun';
import { disposeSynthetic, runInnerLoop, toList } from '@farzi/distill-kit';
import { decodeSynthetic } from './synthetic';
import { tinyAttentionModel } from './testing/tinyAttentionModel';

const tinyFactory: ModelFactory = {
  name: 'tiny-attention',
  description: 'test model',
  schema: { type: 'object', properties: {} },
  create: (_h, ctx) => tinyAttentionModel(ctx.vocabSize, ctx.maxLength, 4),
};
/** Another architecture for distill.innerModels (its own parameters and sizes). */
const wideFactory: ModelFactory = {
  name: 'tiny-wide',
  description: 'test model',
  schema: { type: 'object', properties: {} },
  create: (_h, ctx) => tinyAttentionModel(ctx.vocabSize, ctx.maxLength, 6),
};
/** The tiny model with its tied output layer exposed (what distill.teacher.fitStart "teacher" needs). */
const tiedFactory: ModelFactory = {
  name: 'tiny-tied',
  description: 'test model',
  schema: { type: 'object', properties: {} },
  create: (_h, ctx) => ({
    ...tinyAttentionModel(ctx.vocabSize, ctx.maxLength, 4),
    outputLayer: (p: Params) => ({ weights: p.embedding as tf.Tensor2D, itemAxis: 0 }),
  }),
};
const services = resolveServices(
  createContainer([
    metricsModule,
    distillFarziModule,
    new ContainerModule(({ bind }) => {
      bind(TYPES.ModelFactory).toConstantValue(tinyFactory);
      bind(TYPES.ModelFactory).toConstantValue(wideFactory);
      bind(TYPES.ModelFactory).toConstantValue(tiedFactory);
    }),
  ]),
);
const tools = distillTools(services);

function toySplit(): LeaveOneOutSplit {
  const items = 11;
  const seqs = Array.from({ length: 16 }, (_, u) =>
    Int32Array.from({ length: 9 }, (_, t) => ((u + t * (1 + (u % 3))) % items) + 1),
  );
  const evalSet = (offset: number) => ({
    userIndex: Int32Array.from(seqs, (_, u) => u),
    histories: seqs.map((s) => s.subarray(0, s.length - offset)),
    targets: Int32Array.from(seqs, (s) => s[s.length - offset]),
  });
  return {
    kind: 'leave-one-out',
    source: 'toy',
    vocab: Vocabulary.fromRaw(Array.from({ length: items }, (_, i) => `i${i + 1}`)),
    users: seqs.map((_, u) => `u${u}`),
    train: seqs.map((s) => s.subarray(0, s.length - 2)),
    valid: evalSet(2),
    test: evalSet(1),
  };
}

function config(distill: Record<string, unknown>): ExperimentConfig {
  return validateConfig(
    {
      seed: 5,
      backend: 'wasm',
      data: { format: 'presequenced', path: 'unused', maxLength: 6 },
      model: { name: 'tiny-attention' },
      train: { learningRate: 0.01 },
      eval: { ks: [5], metric: 'NDCG@5' },
      distill: {
        method: 'farzi',
        size: [4, 5],
        latentDim: 3,
        innerSteps: 3,
        innerLearningRate: 0.05,
        trajectories: { count: 1, epochs: 2, every: 1, batchSize: 8 },
        realBatchSize: 8,
        evalEvery: 2,
        student: { epochs: 4 },
        ...distill,
      },
    },
    services,
  );
}

/** A config whose teacher (trained here) takes `epochs` epochs. */
function withEpochs(c: ExperimentConfig, epochs = 1): ExperimentConfig {
  c.train.epochs = epochs;
  return c;
}

describe('Farzi distiller', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-distill-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  const split = toySplit();
  const distiller = services.distillers.get('farzi');
  /** The outer losses a run's summary recorded, step by step. */
  const outerLosses = (name: string) =>
    (
      JSON.parse(fs.readFileSync(path.join(dir, name, 'summary.json'), 'utf8')).history as {
        outerLoss?: number;
      }[]
    )
      .filter((h) => h.outerLoss !== undefined)
      .map((h) => h.outerLoss as number);

  it('distils, validates fresh students, and writes Farzi Data that trains any model', async () => {
    const out = path.join(dir, 'run');
    const events: string[] = [];
    const result = await distiller.distill({
      config: config({ outerSteps: 3 }),
      split,
      tools,
      outDir: out,
      resume: false,
      onProgress: (e) => events.push(e.type),
    });
    for (const f of [
      'farzi-data.safetensors',
      'farzi-data-last.safetensors',
      'distill-state.safetensors',
      'summary.json',
      'log.jsonl',
      'trajectories/manifest.json',
    ]) {
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    }
    expect(events.filter((e) => e === 'outer')).toHaveLength(3);
    // The pretrained trajectory keeps a checkpoint after each of its 2 epochs (every 1).
    const manifest = JSON.parse(
      fs.readFileSync(path.join(out, 'trajectories/manifest.json'), 'utf8'),
    ) as string[];
    expect(manifest).toEqual(['trajectory0-epoch1.safetensors', 'trajectory0-epoch2.safetensors']);
    for (const f of manifest) expect(fs.existsSync(path.join(out, 'trajectories', f))).toBe(true);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.budget).toMatchObject({ sequences: 4, length: 5, events: 20 });
    expect(summary.budget.percentOfTraining).toBeCloseTo((100 * 20) / (16 * 7), 6);
    expect(summary.history.filter((h: { valid?: unknown }) => h.valid)).toHaveLength(3); // steps 0, 2, 3
    // The result (and summary.json) name the training source that reads the data, and the step-0 data.
    expect(result.source).toEqual({
      name: 'farzi',
      path: path.resolve(out, 'farzi-data.safetensors'),
    });
    expect(result.initialSource).toEqual({
      name: 'farzi',
      path: path.resolve(out, 'farzi-data-step0.safetensors'),
    });
    expect(summary).toMatchObject({ method: 'farzi', steps: 3, source: result.source });
    expect(Object.keys(summary.details.secondsPerOuterStep).sort()).toEqual([
      'forward',
      'real',
      'reverse',
    ]);
    const data = loadFarziData(result.dataFile);
    expect(data.latent.shape).toEqual([4, 5, 3]);
    expect(data.vocabulary).toEqual(split.vocab.tokens);

    const trainConfig = config({});
    trainConfig.train.source = { ...result.source };
    const source = createSource(trainConfig, split, services);
    expect(source.numSequences).toBe(4);
    const [batch] = [...source.batches(4, new Rng(1))];
    expect(batch.kind).toBe('soft');
    source.dispose?.();
  });

  it('resumes an interrupted distillation to the same Farzi Data as an uninterrupted one', async () => {
    const straight = path.join(dir, 'straight');
    await distiller.distill({
      config: config({ outerSteps: 4, evalEvery: 0 }),
      split,
      tools,
      outDir: straight,
      resume: false,
    });
    const parted = path.join(dir, 'parted');
    const first = await distiller.distill({
      config: config({ outerSteps: 2, evalEvery: 0 }),
      split,
      tools,
      outDir: parted,
      resume: false,
    });
    const second = await distiller.distill({
      config: config({ outerSteps: 4, evalEvery: 0 }),
      split,
      tools,
      outDir: parted,
      resume: true,
    });
    const a = loadFarziData(path.join(straight, 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(parted, 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    expect(Array.from(b.decoder.dataSync())).toEqual(Array.from(a.decoder.dataSync()));
    // The resumed run's time counts both sessions (the first one's, as its checkpoint saved it).
    const saved = loadCheckpoint<FarziCheckpointMeta>(
      path.join(parted, 'distill-state.safetensors'),
    );
    expect(saved.meta.seconds).toBeDefined();
    expect(second.summary.seconds).toBeGreaterThan(first.summary.seconds);
    expect(saved.meta.seconds).toBeCloseTo(second.summary.seconds, 0);
  });

  it.each([
    ['the configured learning rate', undefined],
    ['a learned schedule', [0.05, 0.02, 0.08, 0.03]],
  ])('student recipe "inner" trains exactly as the inner loop with %s', async (_, schedule) => {
    const c = config({ innerInit: 'random', innerSteps: 4, student: { recipe: 'inner' } });
    const dc = c.distill as DistillConfig;
    const split = toySplit();
    const model = createModel(c, split, services);
    const latent = tf.randomNormal([4, 5, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const decoder = tf.randomNormal([3, split.vocab.size], 0, 1, 'float32', 2) as tf.Tensor2D;
    const { names, values } = toList(model.init(c.seed));
    const batch = decodeSynthetic({ latent, decoder, temperature: 1 });
    const { final } = runInnerLoop(model, names, values, batch, {
      steps: dc.innerSteps,
      hyper: { learningRate: dc.innerLearningRate, ...dc.innerOptimizer },
      learningRates: schedule,
    });
    disposeSynthetic(batch);
    const recipe = studentRecipe(c, dc, schedule);
    expect(recipe).toMatchObject({ epochs: 4, batchSize: 4, dropout: false });
    const source = farziSource(
      { latent, decoder, temperature: 1, vocabulary: [], sourceFingerprint: '', info: {} },
      c.data.maxLength,
    );
    const student = await new Trainer({ model, source, seed: c.seed, ...recipe }).run();
    names.forEach((n, i) => {
      const diff = tf.max(tf.abs(tf.sub(student.params[n], final.w[i]))).dataSync()[0];
      expect(diff).toBeLessThan(1e-5);
    });
    // The same student moved: the comparison is not between two untrained models.
    const moved = Math.max(
      ...names.map((n, i) => tf.max(tf.abs(tf.sub(student.params[n], values[i]))).dataSync()[0]),
    );
    expect(moved).toBeGreaterThan(1e-2);
    tf.dispose([latent, decoder, ...values, ...final.w, ...final.m, ...final.v]);
    tf.dispose(Object.values(student.params));
    source.dispose?.();
  });

  it('learns the inner learning-rate schedule, saves it with the Farzi Data and resumes it', async () => {
    const settings = { learnInnerLearningRate: true, innerInit: 'random', evalEvery: 0 };
    const straight = path.join(dir, 'lr-straight');
    const result = await distiller.distill({
      config: config({ ...settings, outerSteps: 4 }),
      split,
      tools,
      outDir: straight,
      resume: false,
    });
    const learned = loadFarziData(result.dataFile).info.innerLearningRates as number[];
    expect(learned).toHaveLength(3);
    expect(learned.every((a) => a > 0 && Number.isFinite(a))).toBe(true);
    expect(learned.some((a) => Math.abs(a - 0.05) > 1e-4)).toBe(true);
    const parted = path.join(dir, 'lr-parted');
    for (const [outerSteps, resume] of [
      [2, false],
      [4, true],
    ] as const) {
      await distiller.distill({
        config: config({ ...settings, outerSteps }),
        split,
        tools,
        outDir: parted,
        resume,
      });
    }
    const a = loadFarziData(path.join(straight, 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(parted, 'farzi-data-last.safetensors'));
    expect(b.info.innerLearningRates).toEqual(a.info.innerLearningRates);
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
  });

  it('initialises from a teacher trained here or given as a run, and resumes without retraining it', async () => {
    const settings = {
      init: 'teacher',
      innerInit: 'random',
      evalEvery: 0,
      teacher: { fitSteps: 40, mix: 0.6 },
    };
    const withTeacher = (c: ExperimentConfig) => {
      c.train.epochs = 3;
      return c;
    };
    const here = path.join(dir, 'teacher-here');
    const messages: string[] = [];
    await distiller.distill({
      config: withTeacher(config({ ...settings, outerSteps: 2 })),
      split,
      tools,
      outDir: here,
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    const teacherRun = path.join(here, 'teacher');
    const teacherMetrics = JSON.parse(
      fs.readFileSync(path.join(teacherRun, 'metrics.json'), 'utf8'),
    );
    expect(teacherMetrics.epochsRun).toBe(3);
    expect(teacherMetrics.source.sequences).toBe(16); // the real data, not the Farzi Data
    expect(messages.some((m) => /training the teacher on the real data/.test(m))).toBe(true);
    expect(
      messages.some((m) =>
        /teacher sequences fitted into F·M \(d 3\): cross-entropy [\d.]+ vs target entropy/.test(m),
      ),
    ).toBe(true);

    // The same teacher given as a checkpoint: the same Farzi Data.
    const given = path.join(dir, 'teacher-given');
    await distiller.distill({
      config: withTeacher(
        config({
          ...settings,
          outerSteps: 2,
          teacher: { ...settings.teacher, checkpoint: teacherRun },
        }),
      ),
      split,
      tools,
      outDir: given,
      resume: false,
    });
    const a = loadFarziData(path.join(here, 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(given, 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    expect(Array.from(b.decoder.dataSync())).toEqual(Array.from(a.decoder.dataSync()));
    expect(fs.existsSync(path.join(given, 'teacher'))).toBe(false);

    // teacher.windows "coverage": the windows are chosen to hold more distinct items (said in the log).
    const covered: string[] = [];
    await distiller.distill({
      config: withTeacher(
        config({
          ...settings,
          outerSteps: 0,
          teacher: { ...settings.teacher, checkpoint: teacherRun, windows: 'coverage' },
        }),
      ),
      split,
      tools,
      outDir: path.join(dir, 'teacher-coverage'),
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') covered.push(e.text);
      },
    });
    const distinctItems = (log: string[], kind: string) => {
      const line = log.find((m) => m.startsWith(`teacher windows (${kind}): `)) as string;
      expect(line).toMatch(
        /\d+ distinct items, [\d.]+% of their events on head items \(real data [\d.]+%\)/,
      );
      return Number(/: (\d+) distinct/.exec(line)?.[1]);
    };
    // (The toy catalogue's 11 items are all covered either way; the kit's spec shows the gain.)
    expect(distinctItems(covered, 'coverage')).toBe(11);
    expect(distinctItems(messages, 'random')).toBeLessThanOrEqual(11);

    // outerSteps 0 keeps the teacher initialisation as it is; resumed to 2 steps it continues to
    // the same data as the straight run.
    const initOnly = path.join(dir, 'teacher-init-only');
    const zero = await distiller.distill({
      config: withTeacher(
        config({
          ...settings,
          evalEvery: 1,
          outerSteps: 0,
          teacher: { ...settings.teacher, checkpoint: teacherRun },
        }),
      ),
      split,
      tools,
      outDir: initOnly,
      resume: false,
    });
    expect(zero.summary).toMatchObject({ steps: 0, bestStep: 0 });
    const init = loadFarziData(zero.dataFile);
    expect(Array.from(init.latent.dataSync())).not.toEqual(Array.from(a.latent.dataSync()));
    // Every fresh run keeps its step-0 data: the optimised run's equals the outerSteps-0 run's.
    const step0 = loadFarziData(path.join(given, 'farzi-data-step0.safetensors'));
    expect(Array.from(step0.latent.dataSync())).toEqual(Array.from(init.latent.dataSync()));
    expect(Array.from(step0.decoder.dataSync())).toEqual(Array.from(init.decoder.dataSync()));
    expect(zero.summary.initSeconds).toBeGreaterThan(0);
    tf.dispose([step0.latent, step0.decoder]);
    await distiller.distill({
      config: withTeacher(
        config({
          ...settings,
          evalEvery: 1,
          outerSteps: 2,
          teacher: { ...settings.teacher, checkpoint: teacherRun },
        }),
      ),
      split,
      tools,
      outDir: initOnly,
      resume: true,
    });
    const continued = loadFarziData(path.join(initOnly, 'farzi-data-last.safetensors'));
    expect(Array.from(continued.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    tf.dispose([init.latent, init.decoder, continued.latent, continued.decoder]);

    // Interrupted after one outer step and resumed: the teacher is not trained again.
    const parted = path.join(dir, 'teacher-parted');
    await distiller.distill({
      config: withTeacher(config({ ...settings, outerSteps: 1 })),
      split,
      tools,
      outDir: parted,
      resume: false,
    });
    const trainedAt = fs.statSync(path.join(parted, 'teacher', 'metrics.json')).mtimeMs;
    await distiller.distill({
      config: withTeacher(config({ ...settings, outerSteps: 2 })),
      split,
      tools,
      outDir: parted,
      resume: true,
    });
    expect(fs.statSync(path.join(parted, 'teacher', 'metrics.json')).mtimeMs).toBe(trainedAt);
    const c = loadFarziData(path.join(parted, 'farzi-data-last.safetensors'));
    expect(Array.from(c.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));

    // Killed while training the teacher (no outer step saved, the teacher run unfinished): --resume
    // continues the teacher from its last checkpoint and reaches the same data.
    const killed = path.join(dir, 'teacher-killed');
    fs.mkdirSync(killed);
    fs.copyFileSync(path.join(here, 'config.json'), path.join(killed, 'config.json'));
    fs.cpSync(teacherRun, path.join(killed, 'teacher'), { recursive: true });
    fs.rmSync(path.join(killed, 'teacher', 'metrics.json'));
    await distiller.distill({
      config: withTeacher(config({ ...settings, outerSteps: 2 })),
      split,
      tools,
      outDir: killed,
      resume: true,
    });
    expect(fs.existsSync(path.join(killed, 'teacher', 'metrics.json'))).toBe(true);
    const d = loadFarziData(path.join(killed, 'farzi-data-last.safetensors'));
    expect(Array.from(d.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    tf.dispose([
      a.latent,
      a.decoder,
      b.latent,
      b.decoder,
      c.latent,
      c.decoder,
      d.latent,
      d.decoder,
    ]);
  });

  it('aligns the outer loss with a teacher (outerTeacher), reloading the teacher on resume', async () => {
    const settings = { innerInit: 'random', evalEvery: 0, outerSteps: 2 };
    const trained = (c: ExperimentConfig) => {
      c.train.epochs = 3;
      return c;
    };
    const run = (name: string, distill: Record<string, unknown>, resume = false) =>
      distiller.distill({
        config: trained(config({ ...settings, ...distill })),
        split,
        tools,
        outDir: path.join(dir, name),
        resume,
      });
    await run('align-off', {});
    const aligned = { outerTeacher: { weight: 0.7, temperature: 2 } };
    await run('align-on', aligned);
    // The teacher was trained here (no checkpoint given) on the real data, and the outer loss
    // is the mixed one: the same first inner loop and real batch, another loss.
    expect(fs.existsSync(path.join(dir, 'align-on', 'teacher', 'metrics.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'align-off', 'teacher'))).toBe(false);
    const [off, on] = [outerLosses('align-off'), outerLosses('align-on')];
    expect(on).toHaveLength(2);
    expect(Math.abs(on[0] - off[0])).toBeGreaterThan(1e-3);
    // Interrupted after one outer step and resumed: the same data as the straight run.
    await run('align-parted', { ...aligned, outerSteps: 1 });
    await run('align-parted', aligned, true);
    const a = loadFarziData(path.join(dir, 'align-on', 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(dir, 'align-parted', 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    expect(outerLosses('align-parted')).toEqual(on);
    tf.dispose([a.latent, a.decoder, b.latent, b.decoder]);

    // distill.diagnose: per outer step the meta-gradient's norm, its agreement with a central
    // difference along it at a small radius (≈ 1: the reverse mode is exact), the step's agreement
    // (finite: what the step did ÷ what the gradient predicted), and the teacher's entropy at the
    // real positions (between 0 and log |V|); the data is the same as without it.
    await run('align-diagnosed', {
      ...aligned,
      diagnose: true,
      teacher: { checkpoint: path.join(dir, 'align-on', 'teacher') },
    });
    const steps = (
      JSON.parse(fs.readFileSync(path.join(dir, 'align-diagnosed', 'summary.json'), 'utf8'))
        .history as {
        outerLoss?: number;
        gradNorm?: number;
        fdAgreement?: number;
        stepAgreement?: number;
        teacherEntropy?: number;
      }[]
    ).filter((h) => h.outerLoss !== undefined);
    expect(steps).toHaveLength(2);
    for (const h of steps) {
      expect(h.gradNorm).toBeGreaterThan(0);
      // (Not to 1e-5: Adam's first steps from a fresh start are close to sign(gradient), which
      // makes the objective rough even at this radius.)
      expect(h.fdAgreement).toBeGreaterThan(0.8);
      expect(h.fdAgreement).toBeLessThan(1.25);
      expect(Number.isFinite(h.stepAgreement)).toBe(true);
      expect(h.teacherEntropy).toBeGreaterThan(0);
      expect(h.teacherEntropy).toBeLessThan(Math.log(11));
    }
    expect(outerLosses('align-diagnosed')).toEqual(on);
  });

  it('aligns the hidden states with the teacher’s (outerTeacher.featureWeight), and resumes it', async () => {
    const settings = { innerInit: 'random', evalEvery: 0, outerSteps: 2 };
    const trained = (c: ExperimentConfig) => {
      c.train.epochs = 3;
      return c;
    };
    const run = (name: string, distill: Record<string, unknown>, resume = false) =>
      distiller.distill({
        config: trained(config({ ...settings, ...distill })),
        split,
        tools,
        outDir: path.join(dir, name),
        resume,
      });
    await run('features-off', {});
    const features = { outerTeacher: { featureWeight: 5 } };
    await run('features-on', features);
    // The teacher is trained here for the feature term alone; the outer loss gains that term.
    expect(fs.existsSync(path.join(dir, 'features-on', 'teacher', 'metrics.json'))).toBe(true);
    const [off, on] = [outerLosses('features-off'), outerLosses('features-on')];
    expect(on[0]).toBeGreaterThan(off[0] + 1e-4);
    await run('features-parted', { ...features, outerSteps: 1 });
    await run('features-parted', features, true);
    expect(outerLosses('features-parted')).toEqual(on);
    // A model without hidden states is refused before any work.
    const flat = trained(config({ ...settings, ...features }));
    const noHidden = {
      ...tools,
      createModel: (c: ExperimentConfig, s: typeof split) => {
        const m = tools.createModel(c, s);
        return { ...m, hiddenStates: undefined };
      },
    };
    await expect(
      distiller.distill({
        config: flat,
        split,
        tools: noHidden,
        outDir: path.join(dir, 'features-none'),
        resume: false,
      }),
    ).rejects.toThrow(
      /featureWeight: feature alignment needs hidden states, and the tiny-attention model exposes none/,
    );
    expect(fs.existsSync(path.join(dir, 'features-none'))).toBe(false);
  });

  it('weighs the outer loss by inverse popularity (outerPopularityPower), and resumes it', async () => {
    const settings = { innerInit: 'random', evalEvery: 0, outerSteps: 2 };
    const run = (name: string, distill: Record<string, unknown>, resume = false) =>
      distiller.distill({
        config: config({ ...settings, ...distill }),
        split,
        tools,
        outDir: path.join(dir, name),
        resume,
      });
    await run('pop-0', {});
    await run('pop-1', { outerPopularityPower: 1 });
    // The same first inner loop and real batch: only the weights of its positions differ.
    const [plain, weighted] = [outerLosses('pop-0'), outerLosses('pop-1')];
    expect(weighted).toHaveLength(2);
    expect(Math.abs(weighted[0] - plain[0])).toBeGreaterThan(1e-3);
    // Interrupted after one outer step and resumed: the counts are rebuilt, the data the same.
    await run('pop-parted', { outerPopularityPower: 1, outerSteps: 1 });
    await run('pop-parted', { outerPopularityPower: 1 }, true);
    const a = loadFarziData(path.join(dir, 'pop-1', 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(dir, 'pop-parted', 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    expect(outerLosses('pop-parted')).toEqual(weighted);
    tf.dispose([a.latent, a.decoder, b.latent, b.decoder]);
  });

  it('lets a fall within outerBackoff.threshold pass, and backs off past it', async () => {
    const run = async (name: string, threshold: number) => {
      const messages: string[] = [];
      const outDir = path.join(dir, name);
      const settings = {
        outerSteps: 2,
        evalEvery: 1,
        outerLearningRate: 1,
        outerBackoff: { factor: 0.5, patience: 1, threshold },
      };
      await distiller.distill({
        config: config(settings),
        split,
        tools,
        outDir,
        resume: false,
        onProgress: (e) => {
          if (e.type === 'message') messages.push(e.text);
        },
      });
      const history = JSON.parse(fs.readFileSync(path.join(outDir, 'summary.json'), 'utf8'))
        .history as { step: number; valid?: Record<string, number> }[];
      return { messages: messages.filter((m) => /back to that data/.test(m)), history };
    };
    // Far past any noise: never backs off, though validation fell at step 1 (as below).
    const lenient = await run('backoff-lenient', 1e6);
    expect(lenient.messages).toEqual([]);
    const valid = (step: number) =>
      lenient.history.find((h) => h.step === step && h.valid)?.valid?.['NDCG@5'] as number;
    const fall = (valid(0) - valid(1)) / valid(0); // NDCG@5: higher is better
    expect(fall).toBeGreaterThan(0);
    // Just below the step-1 fall: backs off there; just above: passes.
    // The message gives the fall (as a percentage of the best).
    expect((await run('backoff-below', fall * 0.99)).messages).toEqual([
      `step 1: validation below the best (step 0) 1 time(s), the latest by ${(100 * fall).toPrecision(2)}%: back to that data, outer learning rate 0.500`,
    ]);
    expect((await run('backoff-above', fall * 1.01)).messages).toEqual([]);
  });

  it('backs off to the best data with a smaller outer step when validation falls (outerBackoff), and resumes it', async () => {
    const settings = {
      outerSteps: 6,
      evalEvery: 1,
      outerLearningRate: 1,
      outerBackoff: { factor: 0.5, patience: 1 },
    };
    const messages: string[] = [];
    const straight = path.join(dir, 'backoff-straight');
    const done = await distiller.distill({
      config: config(settings),
      split,
      tools,
      outDir: straight,
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    // Validation fell at step 1 (the toy's outer step is far too large): back to step 0's data, the
    // outer learning rate halved at each back-off.
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^step 1: validation below the best \(step 0\) 1 time\(s\), the latest by \d[\d.e+]*%: back to that data, outer learning rate 0\.500$/,
      ),
    );
    expect(messages.filter((m) => /back to that data/.test(m)).length).toBeGreaterThanOrEqual(2);
    const history = JSON.parse(fs.readFileSync(path.join(straight, 'summary.json'), 'utf8'))
      .history as { step: number; backoff?: { to: number; outerLearningRate: number } }[];
    expect(history.find((h) => h.backoff)).toEqual({
      step: 1,
      backoff: { to: 0, outerLearningRate: 0.5, fall: expect.any(Number) },
    });
    expect(done.summary.bestStep).toBe(0);

    // Interrupted after step 2 (a crash at step 3's report): the state holds the best data and the
    // halved step; resumed, the same data as the straight run.
    const parted = path.join(dir, 'backoff-parted');
    await expect(
      distiller.distill({
        config: config(settings),
        split,
        tools,
        outDir: parted,
        resume: false,
        onProgress: (e) => {
          if (e.type === 'outer' && e.step === 3) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const state = loadCheckpoint<FarziCheckpointMeta>(
      path.join(parted, 'distill-state.safetensors'),
    );
    expect(state.meta.step).toBe(2);
    expect(state.meta.learningRateScale).toBe(0.25);
    const step0 = loadFarziData(path.join(parted, 'farzi-data-step0.safetensors'));
    expect(Array.from(state.params.latent.dataSync())).toEqual(Array.from(step0.latent.dataSync()));
    expect(Array.from(state.params['best.decoder'].dataSync())).toEqual(
      Array.from(step0.decoder.dataSync()),
    );
    await distiller.distill({
      config: config(settings),
      split,
      tools,
      outDir: parted,
      resume: true,
    });
    const a = loadFarziData(path.join(straight, 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(parted, 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    expect(Array.from(b.decoder.dataSync())).toEqual(Array.from(a.decoder.dataSync()));
  });

  it('distils data with a sparse support (distill.support): every position on k items, kept in the file', async () => {
    const out = path.join(dir, 'support');
    const result = await distiller.distill({
      config: config({ support: 3, outerSteps: 2, evalEvery: 1 }),
      split,
      tools,
      outDir: out,
      resume: false,
    });
    for (const file of [result.dataFile, path.join(out, 'farzi-data-step0.safetensors')]) {
      const data = loadFarziData(file);
      expect(data.support).toBe(3);
      const x = decodeFarzi(data.latent, data.decoder, data.temperature, data.support);
      const counts = tf.tidy(() => tf.sum(tf.cast(tf.greater(x, 0), 'float32'), -1));
      expect(new Set(counts.dataSync())).toEqual(new Set([3]));
      tf.dispose([x, counts, data.latent, data.decoder]);
    }
    await expect(
      distiller.distill({
        config: config({ support: 11 }),
        split,
        tools,
        outDir: path.join(dir, 'support-all'),
        resume: false,
      }),
    ).rejects.toThrow(
      'distill.support: 11 items is every item of the catalogue (11); use a smaller support, or 0 for every item.',
    );
  });

  it('trains more than one architecture in the inner loop in turn (innerModels), each from its own pool, and resumes', async () => {
    const settings = {
      innerInit: 'student',
      innerModels: [{ name: 'tiny-wide' }],
      studentTrajectory: { every: 1, refreshEvery: 2 },
      evalEvery: 2,
    };
    const messages: string[] = [];
    const straight = path.join(dir, 'inner-models');
    await distiller.distill({
      config: config({ ...settings, outerSteps: 4 }),
      split,
      tools,
      outDir: straight,
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    const history = JSON.parse(fs.readFileSync(path.join(straight, 'summary.json'), 'utf8'))
      .history as { step: number; model?: string; outerLoss?: number }[];
    expect(history.filter((h) => h.outerLoss !== undefined).map((h) => h.model)).toEqual([
      'tiny-attention',
      'tiny-wide',
      'tiny-attention',
      'tiny-wide',
    ]);
    // The other architecture's pool: students of that architecture, kept beside the main pool.
    expect(
      messages.filter((m) => /^tiny-wide: inner loops now start from 4 checkpoints/.test(m)),
    ).toHaveLength(2);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(straight, 'student-pool-1', 'manifest.json'), 'utf8'),
    );
    const kept = loadCheckpoint(path.join(straight, 'student-pool-1', manifest.files[0]));
    expect(kept.params.embedding.shape[1]).toBe(6);
    // Stopped after step 2 and resumed: the same data as the straight run.
    const parted = path.join(dir, 'inner-models-parted');
    for (const [outerSteps, resume] of [
      [2, false],
      [4, true],
    ] as const) {
      await distiller.distill({
        config: config({ ...settings, outerSteps }),
        split,
        tools,
        outDir: parted,
        resume,
      });
    }
    const a = loadFarziData(path.join(straight, 'farzi-data-last.safetensors'));
    const b = loadFarziData(path.join(parted, 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(a.latent.dataSync()));
    // An unknown architecture is named with its place.
    await expect(
      distiller.distill({
        config: config({ ...settings, innerModels: [{ name: 'narm' }] }),
        split,
        tools,
        outDir: path.join(dir, 'inner-models-unknown'),
        resume: false,
      }),
    ).rejects.toThrow(/distill\.innerModels\[0\] has a problem:.*unknown model "narm"/s);
  });

  it('refuses fitStart "teacher" for a model without an output layer, before the fit', async () => {
    await expect(
      distiller.distill({
        config: withEpochs(
          config({ init: 'teacher', innerInit: 'random', teacher: { fitStart: 'teacher' } }),
        ),
        split,
        tools,
        outDir: path.join(dir, 'fit-start'),
        resume: false,
      }),
    ).rejects.toThrow(
      /fitStart "teacher" needs a model that exposes its hidden states and output layer/,
    );
  });

  it("fits from the teacher's factors when latentDim is its hidden size, and names the size otherwise", async () => {
    const tied = (latentDim: number) => {
      const c = withEpochs(
        config({
          init: 'teacher',
          innerInit: 'random',
          latentDim,
          outerSteps: 1,
          teacher: { fitStart: 'teacher' },
        }),
      );
      c.model = { name: 'tiny-tied' } as ExperimentConfig['model'];
      return c;
    };
    await expect(
      distiller.distill({
        config: tied(3),
        split,
        tools,
        outDir: path.join(dir, 'fit-start-size'),
        resume: false,
      }),
    ).rejects.toThrow(
      /distill\.latentDim must be 4 \(the .* teacher's hidden size, plus one if its output layer has a bias\) with distill\.teacher\.fitStart "teacher", got 3\./,
    );
    const messages: string[] = [];
    await distiller.distill({
      config: tied(4),
      split,
      tools,
      outDir: path.join(dir, 'fit-start-ok'),
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    expect(messages.some((m) => /from the teacher's own factors/.test(m))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'fit-start-ok', 'farzi-data.safetensors'))).toBe(true);
  });

  it('names a teacher checkpoint that is missing', async () => {
    await expect(
      distiller.distill({
        config: config({ init: 'teacher', teacher: { checkpoint: path.join(dir, 'no-such-run') } }),
        split,
        tools,
        outDir: path.join(dir, 'no-teacher'),
        resume: false,
      }),
    ).rejects.toThrow(/distill.teacher.checkpoint: no checkpoint at .*no-such-run/);
  });

  it('starts inner loops from a student trained on the current data, refreshed, and resumes them', async () => {
    const settings = {
      innerInit: 'student',
      studentTrajectory: { every: 2, refreshEvery: 2 },
      student: { epochs: 4 },
      evalEvery: 3,
    };
    const straight = path.join(dir, 'pool-straight');
    const messages: string[] = [];
    await distiller.distill({
      config: config({ ...settings, outerSteps: 5 }),
      split,
      tools,
      outDir: straight,
      resume: false,
      onProgress: (e) => {
        if (e.type === 'message') messages.push(e.text);
      },
    });
    // Refreshed before outer steps 1, 3 and 5 (data of steps 0, 2, 4), two checkpoints each
    // (epochs 2 and 4); the step-0 pool came from the step-0 validation student.
    expect(messages.filter((m) => m.startsWith('inner loops now start from'))).toEqual(
      [0, 2, 4].map(
        (s) =>
          `inner loops now start from 2 checkpoints of a student trained on the data of outer step ${s}`,
      ),
    );
    const manifest = JSON.parse(
      fs.readFileSync(path.join(straight, 'student-pool', 'manifest.json'), 'utf8'),
    );
    expect(manifest).toEqual({
      step: 4,
      files: ['step4-epoch2.safetensors', 'step4-epoch4.safetensors'],
    });
    expect(fs.readdirSync(path.join(straight, 'student-pool')).sort()).toEqual([
      'manifest.json',
      'step4-epoch2.safetensors',
      'step4-epoch4.safetensors',
    ]);
    const data = loadFarziData(path.join(straight, 'farzi-data-last.safetensors'));
    expect(data.latent.shape).toEqual([4, 5, 3]);

    // Interrupted after step 3 (inside a refresh period) and resumed: the same data.
    const parted = path.join(dir, 'pool-parted');
    const resumedMessages: string[] = [];
    for (const [outerSteps, resume] of [
      [3, false],
      [5, true],
    ] as const) {
      await distiller.distill({
        config: config({ ...settings, outerSteps }),
        split,
        tools,
        outDir: parted,
        resume,
        onProgress: (e) => {
          if (resume && e.type === 'message') resumedMessages.push(e.text);
        },
      });
    }
    // The resumed run took the step-2 pool from its files and refreshed only before step 5.
    expect(resumedMessages.filter((m) => m.startsWith('inner loops now start from'))).toEqual([
      'inner loops now start from 2 checkpoints of a student trained on the data of outer step 4',
    ]);
    const b = loadFarziData(path.join(parted, 'farzi-data-last.safetensors'));
    expect(Array.from(b.latent.dataSync())).toEqual(Array.from(data.latent.dataSync()));
    expect(Array.from(b.decoder.dataSync())).toEqual(Array.from(data.decoder.dataSync()));
    tf.dispose([data.latent, data.decoder, b.latent, b.decoder]);
  });

  it('refuses a student trajectory that would keep no checkpoint', async () => {
    await expect(
      distiller.distill({
        config: config({
          innerInit: 'student',
          studentTrajectory: { every: 5 },
          student: { epochs: 4 },
        }),
        split,
        tools,
        outDir: path.join(dir, 'no-pool'),
        resume: false,
      }),
    ).rejects.toThrow(
      'distill.studentTrajectory.every: 5 epochs is more than the student trains (4)',
    );
  });

  it('refuses pretrained trajectories that would keep no checkpoint', async () => {
    await expect(
      distiller.distill({
        config: config({ trajectories: { count: 1, epochs: 2, every: 3, batchSize: 8 } }),
        split,
        tools,
        outDir: path.join(dir, 'no-trajectory'),
        resume: false,
      }),
    ).rejects.toThrow(/distill.trajectories: no checkpoint was kept \(epochs 2, every 3/);
  });

  it('rejects a synthetic length the model cannot take', async () => {
    await expect(
      distiller.distill({
        config: config({ size: [4, 9] }),
        split,
        tools,
        outDir: path.join(dir, 'bad'),
        resume: false,
      }),
    ).rejects.toThrow('distill.size: ξ = 9 positions need data.maxLength ≥ 8 (it is 6).');
  });
});
