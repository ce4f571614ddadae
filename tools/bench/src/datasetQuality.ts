import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DistillSummaryFile, SourceSpec, writeFileAtomic, writeJsonAtomic } from '@farzi/core';
import type { DatasetPlan } from './datasetPlans';
import { checkReusable } from './reuse';

/*
 * Quality per data set (`npm run bench:quality -- --datasets ptb,beauty`): the full-data model, Farzi
 * Data at each budget (optimised, and its step-0 data: `distill.outerSteps` 0) and the equal-budget
 * baselines, each student trained with every seed by the small-data recipe, through the CLI as a user
 * runs it. Every run is a directory under <out>/runs: finished runs are reused, interrupted ones
 * resumed, so the benchmark can be stopped and started again. Writes results.json and results.md.
 */

export interface DatasetQualityOptions {
  readonly dataset: string;
  readonly plan: DatasetPlan;
  readonly out: string;
  readonly seeds: readonly number[];
  /** A finished full-data run to use as the teacher instead of training one in <out>/runs/full. */
  readonly teacher?: string;
  /** A finished full-data run of the plan's cross model instead of training one in <out>/runs/<model>-full. */
  readonly crossTeacher?: string;
  /**
   * The distillation methods to run side by side at every budget (`--method farzi,td3`): the
   * plan's `distill` config for its own method, `plan.methods[m]` for the others. Default: the
   * plan's. Rows and run directories are named by method.
   */
  readonly methods?: readonly string[];
  /** `--set` overrides for every distillation (e.g. distill.outerSteps=10). */
  readonly distillSets?: readonly string[];
  /** `--set` overrides for every student after the recipe (e.g. train.epochs=100). */
  readonly studentSets?: readonly string[];
  /**
   * `--set` overrides for the cross-architecture students only, after studentSets and the plan's
   * crossStudentSets (e.g. their learning rate).
   */
  readonly crossStudentSets?: readonly string[];
  /** `--set` overrides for the full-data run. */
  readonly fullSets?: readonly string[];
  /** Budgets whose optimised distillation is not run (only its step-0 data and the baselines). */
  readonly skipOptimised?: readonly string[];
  /** The command that ran the benchmark (kept in results.json and results.md). */
  readonly command?: string;
  /** The CLI entry point (tools/cli/bin/farzi.js). */
  readonly cli: string;
  readonly log: (line: string) => void;
}

interface Metrics {
  trainSeconds: number;
  bestEpoch: number | null;
  source: { events: number; sequences: number };
  valid?: { metrics: Record<string, number> };
  test?: { metrics: Record<string, number> };
}

const readJson = <T>(file: string): T | undefined =>
  fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : undefined;

/** Runs one CLI command with its output in `<dir>.log`; a failure names the log. */
function farzi(options: DatasetQualityOptions, dir: string, args: string[]): void {
  const logFile = `${dir}.log`;
  const fd = fs.openSync(logFile, 'a');
  try {
    const r = spawnSync(process.execPath, [options.cli, ...args], { stdio: ['ignore', fd, fd] });
    if (r.status !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(
        `farzi ${args[0]} for ${dir} failed (exit ${r.status}); ${logFile}:\n${tail}`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

const sets = (list: readonly string[] = []) => list.flatMap((s) => ['--set', s]);

/**
 * A training run, reused when finished and resumed when interrupted after a checkpoint — if it was
 * made with these settings (`given`: a finished run the user named, e.g. --teacher, used as it is).
 */
function train(
  options: DatasetQualityOptions,
  dir: string,
  config: string,
  extra: string[],
  given = false,
) {
  // `farzi train` does not read the distill section (the students train from the distillation's
  // config): a changed distillation setting voids the distillations, not the baselines' students.
  // The config's name is a label.
  if (!given) checkReusable(options.cli, dir, config, extra, ['name', 'distill']);
  const done = readJson<Metrics>(path.join(dir, 'metrics.json'));
  if (done) return done;
  const resume = fs.existsSync(path.join(dir, 'checkpoints', 'last.safetensors'));
  if (!resume) fs.rmSync(dir, { recursive: true, force: true });
  options.log(`${resume ? 'resuming' : 'training'} ${dir}`);
  farzi(options, dir, [
    'train',
    '--config',
    config,
    ...extra,
    '--out',
    dir,
    ...(resume ? ['--resume'] : []),
  ]);
  return readJson<Metrics>(path.join(dir, 'metrics.json')) as Metrics;
}

function distill(
  options: DatasetQualityOptions,
  config: string,
  dir: string,
  teacher: string,
  extra: string[],
) {
  const setArgs = [
    '--set',
    `distill.teacher.checkpoint=${teacher}`,
    ...sets(options.distillSets),
    ...extra,
  ];
  checkReusable(options.cli, dir, config, setArgs, ['name']);
  const done = readJson<DistillSummaryFile>(path.join(dir, 'summary.json'));
  if (done) return done;
  const resume = fs.existsSync(path.join(dir, 'config.json'));
  options.log(`${resume ? 'resuming' : 'distilling'} ${dir}`);
  farzi(options, dir, [
    'distill',
    '--config',
    config,
    ...setArgs,
    '--out',
    dir,
    ...(resume ? ['--resume'] : []),
  ]);
  return readJson<DistillSummaryFile>(path.join(dir, 'summary.json')) as DistillSummaryFile;
}

export interface QualityRow {
  readonly budget: string | null;
  readonly data: string;
  readonly seeds: number[];
  readonly events: number[];
  /** Sequences (users, or spans of text) each seed's training data held. */
  readonly sequences: number[];
  readonly valid: { mean: number; sd: number };
  readonly test: { mean: number; sd: number };
  readonly testHR10?: { mean: number; sd: number };
  /** Test metric as a share of full data (full ÷ this for a lower-is-better metric). */
  readonly shareOfFull: number;
  readonly studentSeconds: number;
  readonly distillSeconds?: number;
}

export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

export const lowerIsBetter = (metric: string) => /perplexity|cross-entropy|loss/i.test(metric);

/** What one row's students train on. */
interface RowSpec {
  readonly budget: string;
  /** The row's name, also the prefix of its run directories. */
  readonly data: string;
  readonly source: object;
  readonly distillSeconds?: number;
  /** Another model section for the students (the cross-architecture rows). */
  readonly model?: object;
}

/** One row: students trained on `source` with every seed (reused when finished). */
function studentRow(
  options: DatasetQualityOptions,
  metric: string,
  share: (x: number) => number,
  spec: RowSpec,
): QualityRow {
  const { plan, seeds } = options;
  const { budget, data, source, distillSeconds, model } = spec;
  const runs = path.join(options.out, 'runs');
  const [mu] = budget.split('x').map(Number);
  const trained = seeds.map((seed) =>
    train(options, path.join(runs, `${data}-${budget}-s${seed}`), plan.distill, [
      ...sets([
        ...(model ? [`model=${JSON.stringify(model)}`] : []),
        `train.source=${JSON.stringify(source)}`,
        // The small-data recipe (smallDataRecipe): all μ sequences per step, up to 300 epochs.
        `train.batchSize=${mu}`,
        'train.epochs=300',
        'train.learningRate=0.003',
        'train.evalEvery=20',
        'train.earlyStopping.patience=4',
        'train.lengthBuckets=0',
        `seed=${seed}`,
        ...(options.studentSets ?? []),
        ...(model ? [...(plan.crossStudentSets ?? []), ...(options.crossStudentSets ?? [])] : []),
      ]),
    ]),
  );
  const at = (part: 'valid' | 'test', key: string) =>
    trained.map((m) => m[part]?.metrics[key] as number);
  const test = meanSd(at('test', metric));
  const hr = at('test', 'HR@10');
  return {
    budget,
    data,
    seeds: [...seeds],
    events: trained.map((m) => m.source.events),
    sequences: trained.map((m) => m.source.sequences),
    valid: meanSd(at('valid', metric)),
    test,
    ...(hr.every((x) => x !== undefined) ? { testHR10: meanSd(hr) } : {}),
    shareOfFull: share(test.mean),
    studentSeconds: meanSd(trained.map((m) => m.trainSeconds)).mean,
    ...(distillSeconds !== undefined ? { distillSeconds } : {}),
  };
}

interface CrossModel {
  readonly name: string;
  readonly model: object;
  readonly share: (x: number) => number;
  readonly full: { run: string; model: string; test: number; trainSeconds: number };
}

/** The plan's other architecture: its full-data run (trained here unless given) and its model section. */
function crossModel(options: DatasetQualityOptions, metric: string): CrossModel | undefined {
  const config = options.plan.crossModel;
  if (!config) return undefined;
  const model = readJson<{ model: { name: string } }>(config)?.model;
  if (!model) throw new Error(`quality: ${config} has no model section`);
  const run = options.crossTeacher ?? path.join(options.out, 'runs', `${model.name}-full`);
  const full = train(options, run, config, sets(options.fullSets), !!options.crossTeacher);
  const test = full.test?.metrics[metric] as number;
  return {
    name: model.name,
    model,
    share: (x) => (lowerIsBetter(metric) ? test / x : x / test),
    full: { run, model: model.name, test, trainSeconds: full.trainSeconds },
  };
}

/**
 * The distillation config of each method asked for, in order: the plan's `distill` for the method
 * it names (`distill.method`), `plan.methods` for the others.
 */
export function distillConfigs(options: DatasetQualityOptions): [string, string][] {
  const { plan } = options;
  const own = readJson<{ distill?: { method?: string } }>(plan.distill)?.distill?.method ?? 'farzi';
  const available: Record<string, string> = { ...plan.methods, [own]: plan.distill };
  return (options.methods ?? [own]).map((m) => {
    const config = available[m];
    if (!config) {
      throw new Error(
        `--method ${m}: no distillation config for it on ${options.dataset} (configs for ${Object.keys(available).join(', ')}).`,
      );
    }
    return [m, config];
  });
}

/** Runs (or reuses) every run of one data set and writes results.json / results.md. */
export function runDatasetQuality(options: DatasetQualityOptions) {
  const { plan, out } = options;
  const runs = path.join(out, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  const metric = (readJson<{ eval?: { metric?: string } }>(plan.distill)?.eval?.metric ??
    'NDCG@10') as string;
  const teacher = options.teacher ?? path.join(runs, 'full');
  const full = train(options, teacher, plan.train, sets(options.fullSets), !!options.teacher);
  const fullTest = full.test?.metrics[metric] as number;
  const share = (x: number) => (lowerIsBetter(metric) ? fullTest / x : x / fullTest);
  const rows: QualityRow[] = [];
  const students = (
    budget: string,
    data: string,
    source: object,
    distillSeconds?: number,
    cross?: CrossModel,
  ) =>
    rows.push(
      studentRow(options, metric, cross?.share ?? share, {
        budget,
        data,
        source,
        distillSeconds,
        model: cross?.model,
      }),
    );
  const cross = crossModel(options, metric);
  const methods = distillConfigs(options);
  for (const budget of plan.budgets) {
    const [mu, xi] = budget.split('x').map(Number);
    for (const [method, config] of methods) {
      const dir = path.join(runs, `${method}-${budget}`);
      const optimised = !options.skipOptimised?.includes(budget);
      // Each distillation names the training source that reads its data (summary.json).
      let step0: SourceSpec | undefined;
      let step0Seconds: number | undefined;
      if (optimised) {
        const summary = distill(
          options,
          config,
          dir,
          teacher,
          sets([`distill.size=[${mu},${xi}]`]),
        );
        students(budget, method, summary.source, summary.seconds);
        // Kept by the run, unless its file is gone (runs from before they kept it).
        const initial = summary.initialSource;
        if (initial && (typeof initial.path !== 'string' || fs.existsSync(initial.path)))
          step0 = initial;
        step0Seconds = summary.initSeconds;
        if (cross)
          students(budget, `${cross.name}-on-${method}`, summary.source, summary.seconds, cross);
      }
      // The step-0 data: kept by the optimised run (its initialSource), or distilled with
      // distill.outerSteps 0 (no optimised run, or one from before runs kept that data).
      if (!optimised || !step0) {
        const zeroDir = path.join(runs, `${method}-step0-${budget}`);
        const sets0 = sets([`distill.size=[${mu},${xi}]`, 'distill.outerSteps=0']);
        const zero = distill(options, config, zeroDir, teacher, sets0);
        step0Seconds = zero.initSeconds ?? zero.seconds;
        step0 = zero.source;
      }
      students(budget, `${method}-step0`, step0, step0Seconds);
    }
    for (const baseline of plan.baselines) {
      students(budget, baseline, { name: baseline, users: mu, length: xi });
    }
  }
  const results = {
    dataset: options.dataset,
    command: options.command,
    metric,
    lowerIsBetter: lowerIsBetter(metric),
    full: {
      run: teacher,
      valid: full.valid?.metrics[metric],
      test: fullTest,
      testHR10: full.test?.metrics['HR@10'],
      trainSeconds: full.trainSeconds,
      events: full.source.events,
    },
    ...(cross ? { crossFull: cross.full } : {}),
    rows,
  };
  writeJsonAtomic(path.join(out, 'results.json'), results);
  writeFileAtomic(path.join(out, 'results.md'), qualityMarkdown(results));
  return results;
}

/** Four decimals for values below 10 (NDCG, HR), one above (perplexity). */
const digits = (x: number) => (Math.abs(x) >= 10 ? 1 : 4);
const f4 = (x: number) => x.toFixed(digits(x));
/** Mean ± sd, both with the mean's decimals. */
const pm = (s: { mean: number; sd: number }) => `${f4(s.mean)} ± ${s.sd.toFixed(digits(s.mean))}`;

/** The results as a markdown table: quality, share of full data and cost per row. */
export function qualityMarkdown(r: ReturnType<typeof runDatasetQuality>): string {
  const lines = [
    `${r.dataset}: test ${r.metric} (${r.lowerIsBetter ? 'lower' : 'higher'} is better), seeds as listed; full data: ${f4(r.full.test)} (${r.full.events} training events, ${r.full.trainSeconds.toFixed(0)} s)`,
    ...(r.crossFull
      ? [
          `${r.crossFull.model} on the full data: ${f4(r.crossFull.test)} (${r.crossFull.trainSeconds.toFixed(0)} s); the ${r.crossFull.model}-on-<method> rows (students of that architecture on the data distilled with the first model) are a share of it`,
        ]
      : []),
    ...(r.command ? ['', `\`${r.command}\``] : []),
    '',
    `| budget | training data | events (sequences) | valid ${r.metric} | test ${r.metric} | share of full | test HR@10 | student s | distill s | teacher + distill + student s | students / hour |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of r.rows) {
    const total =
      row.distillSeconds !== undefined
        ? (r.full.trainSeconds + row.distillSeconds + row.studentSeconds).toFixed(0)
        : '–';
    lines.push(
      `| [${row.budget?.replace('x', '×')}] | ${row.data} (seeds ${row.seeds.join(', ')}) | ${[...new Set(row.events)].join('/')} (${[...new Set(row.sequences)].join('/')} seq.) | ${pm(row.valid)} | **${pm(row.test)}** | ${(100 * row.shareOfFull).toFixed(1)}% | ${row.testHR10 ? pm(row.testHR10) : '–'} | ${row.studentSeconds.toFixed(0)} | ${row.distillSeconds?.toFixed(0) ?? '–'} | ${total} | ${(3600 / row.studentSeconds).toFixed(1)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
