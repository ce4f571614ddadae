import * as fs from 'fs';
import * as path from 'path';
import { appServices, loadExperiment } from '@farzi/cli';
import {
  ExperimentConfig,
  loadSplit,
  selectBackend,
  writeJsonAtomic,
  writeFileAtomic,
  DistillSummaryFile,
  smallDataRecipe,
  distillTools,
  isFarziError,
} from '@farzi/core';
import { evaluateProtocols, trainOrReuse } from './experiments';
import { datasetsMain } from './datasetQualityMain';
import { benchArgs, USAGE } from './qualityArgs';
import { describeDistillation, machine, markdown } from './qualityTable';

/*
 * Quality benchmark (issue: Farzi quality and cost): on MovieLens-100K with SASRec, full data vs
 * Farzi Data at several budgets vs random and head sampling at the same budgets, plus GRU4Rec trained
 * on the same Farzi Data; HR@10 / NDCG@10 under the full and the sampled protocol, as % of full data.
 * Usage: node tools/bench/dist/quality.js [--budgets 10x50,50x50] [--outer-steps N] [--init teacher|real]
 *   [--inner-init student|random|trajectories] [--out dir] [--quick]
 * `--init teacher` (default) initialises the Farzi Data from the benchmark's own full-data SASRec run
 * (runs/sasrec-full) as the teacher; `--inner-init student` (default) starts the inner loops from
 * checkpoints of a student trained on the current Farzi Data. Run names carry the variant:
 * farzi-teacher-student-<budget>, farzi-teacher-<budget> (random inner init), farzi-<budget> (real).
 */
const { values } = benchArgs();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const started = Date.now();
const outDir = values.out as string;
const runs = path.join(outDir, 'runs');
const logFile = path.join(outDir, 'log.txt');
const log = (s: string) => {
  const line = `${new Date().toISOString()} ${s}`;
  process.stderr.write(`${line}\n`);
  fs.appendFileSync(logFile, `${line}\n`);
};

function withSets(file: string, sets: string[]): ExperimentConfig {
  return loadExperiment(file, sets);
}

/** What every row of the ML-100K table shares: the app, the split, the settings, the rows so far. */
interface Bench {
  readonly services: ReturnType<typeof appServices>;
  readonly split: Awaited<ReturnType<typeof loadSplit>>;
  readonly quick: boolean;
  /** `--set`s every run gets (data, full-data training). */
  readonly base: string[];
  readonly rows: Record<string, unknown>[];
  /** Writes results.json / results.md with the rows so far. */
  save(): void;
}

const PROTOCOLS = [{ protocol: 'full' as const }, { protocol: 'sampled' as const, negatives: 100 }];

/** Trains (or reuses) one run, evaluates it under both protocols and adds its row. */
async function record(
  b: Bench,
  name: string,
  model: string,
  data: string,
  budgetEvents: number | null,
  config: ExperimentConfig,
  dir: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const t0 = Date.now();
  const report = await trainOrReuse(config, b.split, b.services, dir, log);
  const test = await evaluateProtocols(dir, config, b.split, b.services, PROTOCOLS);
  b.rows.push({
    name,
    model,
    data,
    budgetEvents,
    trainSeconds: report.trainSeconds,
    wallSeconds: (Date.now() - t0) / 1000,
    bestEpoch: report.bestEpoch,
    test,
    ...extra,
  });
  b.save();
  log(
    `${name}: full NDCG@10 ${test.full['NDCG@10'].toFixed(4)}, sampled NDCG@10 ${test.sampled['NDCG@10'].toFixed(4)}`,
  );
}

/*
 * Every small-budget training set (Farzi Data, random and head samples) gets the same tuning: one
 * run per learning rate of --small-lrs, up to 300 steps over all μ sequences, validated every 20
 * steps with early stopping (patience 4); the run with the best validation NDCG@10 is reported.
 */
async function recordTuned(
  b: Bench,
  name: string,
  model: string,
  data: string,
  budgetEvents: number,
  configFile: string,
  sets: string[],
  mu: number,
  dirBase: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const smallLrs = (values['small-lrs'] as string).split(',').map(Number);
  const grid: { learningRate: number; validNdcg: number; bestEpoch: number | null }[] = [];
  let best: { dir: string; config: ExperimentConfig; valid: number } | undefined;
  for (const lr of b.quick ? [smallLrs[smallLrs.length - 1]] : smallLrs) {
    const recipe = smallDataRecipe(mu);
    const config = withSets(configFile, [
      ...sets,
      `train.learningRate=${lr}`,
      `train.epochs=${b.quick ? 5 : recipe.epochs}`,
      `train.batchSize=${recipe.batchSize}`,
      `train.evalEvery=${b.quick ? 1 : recipe.evalEvery}`,
      `train.earlyStopping.patience=${recipe.earlyStopping.patience}`,
    ]);
    const dir = `${dirBase}-lr${lr}`;
    const report = await trainOrReuse(config, b.split, b.services, dir, log);
    const valid = report.valid?.metrics['NDCG@10'] ?? -1;
    grid.push({ learningRate: lr, validNdcg: valid, bestEpoch: report.bestEpoch });
    if (!best || valid > best.valid) best = { dir, config, valid };
  }
  const chosen = best as { dir: string; config: ExperimentConfig };
  await record(b, name, model, data, budgetEvents, chosen.config, chosen.dir, { ...extra, grid });
}

/** The distillation settings of one budget (the variant's init and inner init; --quick shrinks). */
function distillSets(b: Bench, mu: number, xi: number, outerSteps: number): string[] {
  const init = values.init as string;
  const evalEvery = values['distill-eval-every']
    ? Number(values['distill-eval-every'])
    : Math.max(1, Math.floor(outerSteps / 4));
  const sets = [
    ...b.base,
    `distill.size=[${mu},${xi}]`,
    `distill.outerSteps=${outerSteps}`,
    `distill.innerSteps=${values['inner-steps']}`,
    `distill.trajectories.epochs=${values['trajectory-epochs']}`,
    `distill.evalEvery=${evalEvery}`,
    `distill.student.learningRate=${values['student-lr']}`,
    `distill.init=${init}`,
    `distill.innerInit=${values['inner-init']}`,
    `distill.innerLearningRate=${values['inner-lr']}`,
    ...(init === 'teacher' ? [`distill.teacher.checkpoint=${path.join(runs, 'sasrec-full')}`] : []),
  ];
  if (b.quick)
    sets.push(
      'distill.innerSteps=3',
      'distill.trajectories={"count":1,"epochs":2,"every":1}',
      'distill.evalEvery=0',
      'distill.student.epochs=5',
      'distill.studentTrajectory={"every":2,"refreshEvery":1}',
      'distill.teacher.fitSteps=5',
    );
  return sets;
}

/** Distils one budget into `distillDir` (reused when its summary exists). */
async function distillBudget(
  b: Bench,
  tag: string,
  distillDir: string,
  sets: string[],
  earlierTrajectories: string | undefined,
): Promise<DistillSummaryFile> {
  const summaryFile = path.join(distillDir, 'summary.json');
  if (fs.existsSync(summaryFile)) {
    log(`reusing ${distillDir}`);
    return JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as DistillSummaryFile;
  }
  if (fs.existsSync(distillDir)) fs.rmSync(distillDir, { recursive: true, force: true });
  // Every budget distils with the same model, data and seeds: reuse the pretrained trajectories
  // an earlier budget trained (the distiller picks up trajectories/manifest.json).
  if (earlierTrajectories)
    fs.cpSync(earlierTrajectories, path.join(distillDir, 'trajectories'), { recursive: true });
  const distillConfig = withSets('configs/farzi-sasrec-ml100k.json', sets);
  const result = await b.services.distillers.get(distillConfig.distill?.method as string).distill({
    config: distillConfig,
    split: b.split,
    tools: distillTools(b.services),
    outDir: distillDir,
    resume: false,
    onProgress: (e) => {
      if (e.type === 'outer' && (e.step % 5 === 0 || e.step === 1))
        log(
          `[farzi ${tag}] step ${e.step}/${e.totalSteps} outer loss ${e.loss.toFixed(4)} ${JSON.stringify(e.details)}`,
        );
      if (e.type === 'message') log(`[farzi ${tag}] ${e.text}`);
    },
  });
  return { ...result.summary, source: result.source, initialSource: result.initialSource };
}

/** One budget's rows: SASRec and GRU4Rec on its Farzi Data, SASRec on the random and head samples. */
async function budgetRows(
  b: Bench,
  [mu, xi]: [number, number],
  variant: string,
  distillDir: string,
  summary: DistillSummaryFile,
): Promise<void> {
  const tag = `${mu}x${xi}`;
  // The training source that reads the distilled data, as the distiller named it.
  const studentSets = [...b.base, `train.source=${JSON.stringify(summary.source)}`];
  const distillInfo = {
    distillSeconds: summary.seconds,
    secondsPerOuterStep: (summary.details as { secondsPerOuterStep?: unknown } | undefined)
      ?.secondsPerOuterStep,
    percentOfTraining: summary.budget.percentOfTraining,
  };
  const sasrecFile = 'configs/farzi-sasrec-ml100k.json';
  await recordTuned(
    b,
    `SASRec, Farzi [${tag}] (${describeDistillation(distillDir)})`,
    'sasrec',
    `farzi ${tag}`,
    mu * xi,
    sasrecFile,
    studentSets,
    mu,
    path.join(runs, `sasrec-farzi-${variant}${tag}`),
    distillInfo,
  );
  await recordTuned(
    b,
    `GRU4Rec, Farzi [${tag}] (distilled with SASRec)`,
    'gru4rec',
    `farzi ${tag}`,
    mu * xi,
    'configs/gru4rec-ml100k.json',
    studentSets,
    mu,
    path.join(runs, `gru4rec-farzi-${variant}${tag}`),
  );
  for (const kind of ['random', 'head']) {
    await recordTuned(
      b,
      `SASRec, ${kind} sample [${tag}]`,
      'sasrec',
      `${kind} ${tag}`,
      mu * xi,
      sasrecFile,
      [...b.base, `train.source={"name":"${kind}-sample","users":${mu},"length":${xi}}`],
      mu,
      path.join(runs, `sasrec-${kind}-${tag}`),
    );
  }
}

/** Further finished distillations (--extra-farzi, run directories under runs/): SASRec rows. */
async function extraFarziRows(b: Bench): Promise<void> {
  for (const name of (values['extra-farzi'] as string).split(',').filter(Boolean)) {
    const dir = path.join(runs, name);
    const [mu, xi] = (
      JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        distill: { size: [number, number] };
      }
    ).distill.size;
    const { source } = JSON.parse(
      fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'),
    ) as DistillSummaryFile;
    await recordTuned(
      b,
      `SASRec, Farzi [${mu}x${xi}] (${describeDistillation(dir)})`,
      'sasrec',
      `farzi ${mu}x${xi} ${name}`,
      mu * xi,
      'configs/farzi-sasrec-ml100k.json',
      [...b.base, `train.source=${JSON.stringify(source)}`],
      mu,
      path.join(runs, `sasrec-${name}`),
    );
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(runs, { recursive: true });
  const services = appServices();
  const backend = await selectBackend('auto');
  const quick = Boolean(values.quick);
  const outerSteps = quick ? 2 : Number(values['outer-steps']);
  const budgets = (values.budgets as string)
    .split(',')
    .map((x) => x.split('x').map(Number) as [number, number]);
  const base = [
    'data.maxLength=50',
    `train.epochs=${quick ? 2 : Number(values['full-epochs'])}`,
    `train.batchSize=${values['full-batch']}`,
    `train.learningRate=${values['full-lr']}`,
    'train.evalEvery=5',
    'train.earlyStopping.patience=3',
  ];
  const sasrec = withSets('configs/farzi-sasrec-ml100k.json', base);
  const rows: Record<string, unknown>[] = [];
  const b: Bench = {
    services,
    split: await loadSplit(sasrec.data, services.adapters),
    quick,
    base,
    rows,
    save: () => {
      writeJsonAtomic(path.join(outDir, 'results.json'), {
        machine: machine(backend.name),
        command: process.argv.join(' '),
        rows,
      });
      writeFileAtomic(path.join(outDir, 'results.md'), markdown(rows));
    },
  };
  await record(
    b,
    'SASRec, full data',
    'sasrec',
    'full',
    null,
    sasrec,
    path.join(runs, 'sasrec-full'),
  );
  const init = values.init as string;
  if (init !== 'teacher' && init !== 'real')
    throw new Error(`--init: "teacher" or "real", not "${init}"`);
  // The variant's run names: the "real" runs keep their original names (farzi-10x50, …).
  const variant =
    (init === 'teacher' ? 'teacher-' : '') + (values['inner-init'] === 'student' ? 'student-' : '');
  for (const [mu, xi] of budgets) {
    const distillDir = path.join(runs, `farzi-${variant}${mu}x${xi}`);
    const earlier = budgets
      .map(([m, x]) => path.join(runs, `farzi-${variant}${m}x${x}`, 'trajectories'))
      .find((t) => fs.existsSync(path.join(t, 'manifest.json')));
    const sets = distillSets(b, mu, xi, outerSteps);
    const summary = await distillBudget(b, `${mu}x${xi}`, distillDir, sets, earlier);
    await budgetRows(b, [mu, xi], variant, distillDir, summary);
  }
  await extraFarziRows(b);
  // Last: the GRU4Rec reference for the cross-architecture rows (the slowest model here).
  // GRU4Rec steps through time one position at a time: larger batches keep its epochs affordable.
  const gru = withSets('configs/gru4rec-ml100k.json', [
    ...base,
    `train.batchSize=${values['gru-batch']}`,
    `train.learningRate=${values['gru-lr']}`,
  ]);
  await record(
    b,
    'GRU4Rec, full data',
    'gru4rec',
    'full',
    null,
    gru,
    path.join(runs, 'gru4rec-full'),
  );
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

(values.datasets ? datasetsMain(values, outDir) : main()).catch((error) => {
  // A user's mistake (a missing data set, a bad --set) in one paragraph; a bug with its stack.
  const text = isFarziError(error) ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`quality: ${text}\n`);
  process.exit(isFarziError(error) ? error.exitCode : 1);
});
