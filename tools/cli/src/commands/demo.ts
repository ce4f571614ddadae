import * as path from 'path';
import {
  loadSplit,
  selectBackend,
  TrainingReport,
  runTraining,
  validateConfig,
  writeFileAtomic,
  ExperimentConfig,
  smallDataRecipe,
  distillTools,
} from '@farzi/core';
import type { Command } from '../Command';
import { locateMovieLens100k } from '../dataLookup';
import { appServices } from '../plugins';
import { progressRenderer } from '../progress';
import { buildReport } from '../report';
import { defaultRunDir } from './train';

/**
 * The demo's embedded experiment: SASRec on MovieLens-100K, sized to finish in about ten minutes on
 * 2 cores. The distillation uses the setting the quality benchmark measured best (BENCHMARKS.md):
 * Farzi Data [10×50] (0.51% of the training events) initialised from the demo's own full-data model
 * as the teacher, then 30 outer steps whose inner loops (T 10) start from checkpoints of a student
 * trained on the current Farzi Data; the best on validation is kept. `auto` picks wasm-native where
 * its addon is built.
 */
function demoConfig(dataPath: string, quick: boolean, teacherRun: string): Record<string, unknown> {
  return {
    name: 'farzi demo: SASRec on MovieLens-100K',
    seed: 42,
    backend: 'auto',
    data: { format: 'movielens-100k', path: dataPath, maxLength: quick ? 10 : 50 },
    model: {
      name: 'sasrec',
      hiddenSize: quick ? 8 : 50,
      blocks: quick ? 1 : 2,
      heads: 1,
      dropout: 0.2,
    },
    train: {
      epochs: quick ? 2 : 15,
      batchSize: 64,
      learningRate: 0.002,
      optimizer: { beta2: 0.98 },
      evalEvery: quick ? 1 : 5,
      earlyStopping: { patience: 3 },
    },
    eval: { evaluator: 'ranking', protocol: 'full', ks: [10, 20], metric: 'NDCG@10' },
    distill: {
      // The demo is Farzi's: its settings below are that method's.
      method: 'farzi',
      size: quick ? [4, 6] : [10, 50],
      latentDim: quick ? 4 : 16,
      init: 'teacher',
      // The teacher: the demo's first step, SASRec trained on the full data.
      teacher: { checkpoint: teacherRun, fitSteps: quick ? 5 : 200 },
      innerInit: 'student',
      studentTrajectory: quick ? { every: 1, refreshEvery: 1 } : { every: 20, refreshEvery: 10 },
      innerSteps: quick ? 2 : 10,
      innerLearningRate: 0.003,
      outerSteps: quick ? 2 : 30,
      outerLearningRate: 0.01,
      realBatchSize: quick ? 16 : 256,
      evalEvery: quick ? 1 : 10,
      student: { epochs: quick ? 3 : 100, learningRate: 0.003 },
    },
  };
}

/**
 * How both small training sets (the Farzi Data and the random sample of the same size) are trained:
 * the same recipe for both, as in the quality benchmark — all μ sequences per step, up to 300
 * steps, validated every 20 with early stopping, at the learning rate the benchmark chose for both
 * (BENCHMARKS.md).
 */
function studentRecipe(mu: number, quick: boolean): Partial<ExperimentConfig['train']> {
  const recipe = smallDataRecipe(mu);
  return quick ? { ...recipe, epochs: 3, evalEvery: 1 } : recipe;
}

export const demoCommand: Command = {
  name: 'demo',
  summary:
    'the main job end to end: train SASRec on MovieLens-100K, distil Farzi Data, compare with a random sample, write an HTML report',
  options: {
    'data-dir': {
      type: 'string',
      value: '<dir>',
      description: 'folder containing ml-100k/ (default: $FARZI_DATA_DIR, then ~/.cache/farzi)',
    },
    out: {
      type: 'string',
      short: 'o',
      value: '<dir>',
      description: 'where the runs and report.html go (default runs/demo-<time>)',
    },
    quick: {
      type: 'boolean',
      description: 'tiny settings (a smoke test of the pipeline, not meaningful numbers)',
    },
    json: { type: 'boolean', description: 'print the comparison as JSON' },
  },
  examples: ['npx farzi demo', 'FARZI_DATA_DIR=../shared/data npx farzi demo --out runs/demo'],
  async run(values, io) {
    const dataPath = locateMovieLens100k(values['data-dir'] as string | undefined);
    const quick = Boolean(values.quick);
    const services = appServices();
    const out =
      (values.out as string | undefined) ??
      defaultRunDir('demo', 'demo').replace('demo-demo', 'demo');
    const config: ExperimentConfig = validateConfig(
      demoConfig(dataPath, quick, path.join(out, 'full')),
      services,
      'the demo config',
    );
    const backend = await selectBackend(config.backend);
    const onProgress = progressRenderer(io, { metricNames: ['NDCG@10'] });
    onProgress({
      type: 'message',
      label: 'demo',
      text: `MovieLens-100K from ${dataPath}; backend ${backend.name}; writing to ${out}`,
    });
    const split = await loadSplit(config.data, services.adapters);
    const started = Date.now();
    const train = async (
      name: string,
      source: Record<string, unknown>,
      overrides: Partial<ExperimentConfig['train']> = {},
    ): Promise<TrainingReport> => {
      const c = structuredClone(config);
      c.train = { ...c.train, ...overrides, source: source as ExperimentConfig['train']['source'] };
      return runTraining(c, services, { outDir: path.join(out, name), split, backend, onProgress });
    };

    onProgress({ type: 'message', label: 'demo', text: '1/4 training SASRec on the full data' });
    const full = await train('full', { name: 'real' });
    onProgress({ type: 'message', label: 'demo', text: '2/4 distilling Farzi Data' });
    const distill = await services.distillers.get(config.distill?.method as string).distill({
      config,
      split,
      tools: distillTools(services),
      outDir: path.join(out, 'farzi'),
      resume: false,
      onProgress,
    });
    const { sequences: mu, length: xi } = distill.summary.budget;
    onProgress({ type: 'message', label: 'demo', text: '3/4 training SASRec on the Farzi Data' });
    const recipe = studentRecipe(mu, quick);
    const farzi = await train('farzi-student', { ...distill.source }, recipe);
    onProgress({
      type: 'message',
      label: 'demo',
      text: `4/4 training SASRec on a random sample of the same size (${mu} users × ${xi} items)`,
    });
    const random = await train(
      'random-sample',
      { name: 'random-sample', users: mu, length: xi },
      recipe,
    );

    const rows = demoRows(full, farzi, random, mu, xi);
    const reportFile = await writeDemoReport(out);
    const summary = {
      protocol: full.test?.protocol,
      distillSeconds: distill.summary.seconds,
      totalSeconds: (Date.now() - started) / 1000,
      report: reportFile,
      rows,
    };
    if (values.json) {
      io.out(`${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    }
    const lines = demoTable(
      rows,
      String(full.test?.protocol),
      distill.summary.seconds,
      summary.totalSeconds,
      reportFile,
    );
    io.out(lines.join('\n'));
    return 0;
  },
};

type DemoRow = ReturnType<typeof demoRows>[number];

/** The comparison rows: full data, the Farzi student and the equal-budget random sample. */
function demoRows(
  full: TrainingReport,
  farzi: TrainingReport,
  random: TrainingReport,
  mu: number,
  xi: number,
) {
  return [
    { name: 'full data', report: full },
    { name: `Farzi Data [${mu}×${xi}]`, report: farzi },
    { name: `random sample [${mu}×${xi}]`, report: random },
  ].map(({ name, report }) => ({
    name,
    events: report.source.events,
    'HR@10': report.test?.metrics['HR@10'] ?? NaN,
    'NDCG@10': report.test?.metrics['NDCG@10'] ?? NaN,
    percentOfFull:
      (100 * (report.test?.metrics['NDCG@10'] ?? NaN)) / (full.test?.metrics['NDCG@10'] ?? NaN),
    seconds: report.trainSeconds,
  }));
}

/** The demo's HTML report (training runs and the distillation), written atomically. */
async function writeDemoReport(out: string): Promise<string> {
  const reportFile = path.join(out, 'report.html');
  writeFileAtomic(
    reportFile,
    await buildReport(
      [
        path.join(out, 'full'),
        path.join(out, 'farzi-student'),
        path.join(out, 'random-sample'),
        path.join(out, 'farzi'),
      ],
      ['full data', 'Farzi Data', 'random sample', 'distillation'],
      'farzi demo: SASRec on MovieLens-100K',
    ),
  );
  return reportFile;
}

/** The markdown table the demo prints. */
function demoTable(
  rows: DemoRow[],
  protocol: string,
  distillSeconds: number,
  totalSeconds: number,
  reportFile: string,
): string[] {
  return [
    `Test split, ${protocol}`,
    '',
    '| training data | events | HR@10 | NDCG@10 | % of full NDCG@10 | train time |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.events.toLocaleString('en-US')} | ${r['HR@10'].toFixed(4)} | ${r['NDCG@10'].toFixed(4)} | ${r.percentOfFull.toFixed(0)}% | ${r.seconds.toFixed(0)} s |`,
    ),
    '',
    `Distillation took ${distillSeconds ? Number(distillSeconds).toFixed(0) : '?'} s; everything ${totalSeconds.toFixed(0)} s.`,
    `Report: ${reportFile}`,
    '',
  ];
}
