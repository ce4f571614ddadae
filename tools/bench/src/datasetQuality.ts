import * as fs from 'fs';
import * as path from 'path';
import {
  DistillSummaryFile,
  SourceSpec,
  UserError,
  writeFileAtomic,
  writeJsonAtomic,
} from '@farzi/core';
import type { DatasetPlan } from './datasetPlans';
import { qualityMarkdown } from './datasetQualityReport';
import { lowerIsBetter, meanSd, QualityRow, RowSpec, studentRow } from './qualityRows';
import { distill, methodSets, Metrics, readJson, sets, splitMethodSet, train } from './qualityRuns';

export { lowerIsBetter, meanSd, pooledMeanSd } from './qualityRows';
export type { QualityRow } from './qualityRows';

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
  /**
   * Finished full-data runs to use as the teachers (the i-th for distillation i) instead of
   * training them under <out>/runs (`--teacher`, `--teachers a,b,c`); the rest are trained there.
   */
  readonly teacher?: string | readonly string[];
  /** No baseline rows (`--skip-baselines`: e.g. a lever's ablation beside an earlier table). */
  readonly skipBaselines?: boolean;
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
  /**
   * Independent distillations per method and budget (default 1): the i-th distils from its own
   * full-data teacher (trained with seed + SEED_STRIDE·(i − 1)) with its own distillation seed.
   */
  readonly distillations?: number;
  /** Budgets whose optimised distillation is not run (only its step-0 data and the baselines). */
  readonly skipOptimised?: readonly string[];
  /**
   * Where finished students are indexed by their data's bytes and settings, so a student of
   * byte-identical data is reused, not retrained (default <out>/.students; bench:levers shares one
   * across its levers, whose step-0 data often coincide).
   */
  readonly studentCache?: string;
  /** The command that ran the benchmark (kept in results.json and results.md). */
  readonly command?: string;
  /** The CLI entry point (tools/cli/bin/farzi.js). */
  readonly cli: string;
  readonly log: (line: string) => void;
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
  const methods = options.methods ?? [own];
  const configs = methods.map((m): [string, string] => {
    const config = available[m];
    if (!config) {
      throw new UserError(
        `--method ${m}: no distillation config for it on ${options.dataset} (configs for ${Object.keys(available).join(', ')}).`,
      );
    }
    return [m, config];
  });
  for (const s of options.distillSets ?? []) {
    const prefix = splitMethodSet(s).method;
    if (prefix && !methods.includes(prefix)) {
      throw new UserError(
        `--distill-set ${s}: "${prefix}" is not a method of this run (--method ${methods.join(',')}).`,
      );
    }
  }
  return configs;
}

/** Seeds of the i-th distillation (i ≥ 1) are the first one's plus SEED_STRIDE·(i − 1). */
export const SEED_STRIDE = 1000;

/** One full-data teacher of the distillations: its run and figures. */
export interface Teacher {
  readonly run: string;
  readonly seed: number;
  readonly valid?: number;
  readonly test: number;
  readonly trainSeconds: number;
  readonly events: number;
}

/** One distillation of one method at one budget, and how its outer loop went on validation. */
export interface DistillationRecord {
  readonly budget: string;
  readonly method: string;
  /** 1-based; distillation i uses teacher i. */
  readonly index: number;
  readonly run: string;
  readonly teacherSeed: number;
  readonly teacherTest: number;
  readonly seed: number;
  /** The distillation's validation student on its step-0 data and at its best step. */
  readonly step0Valid?: number;
  readonly bestValid?: number;
  readonly bestStep?: number;
  readonly steps?: number;
  /** Mean validation metric of the benchmark's students on its optimised data (paired comparisons). */
  readonly valid?: number;
  /** Mean test metric of the benchmark's students on its optimised and step-0 data. */
  readonly test?: number;
  readonly step0Test?: number;
}

/** The seed a config file sets (42 if it sets none), or the last `seed=` of the --set list. */
function configSeed(config: string, setList: readonly string[] = []): number {
  const set = [...setList].reverse().find((s) => /^seed=/.test(s));
  if (set) return Number(set.slice(5));
  return readJson<{ seed?: number }>(config)?.seed ?? 42;
}

/** Runs (or reuses) every run of one data set and writes results.json / results.md. */
export function runDatasetQuality(options: DatasetQualityOptions) {
  const { plan, out } = options;
  // The methods and their settings are checked before any training.
  const methods = distillConfigs(options);
  const count = Math.max(1, options.distillations ?? 1);
  const runs = path.join(out, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  const metric = (readJson<{ eval?: { metric?: string } }>(plan.distill)?.eval?.metric ??
    'NDCG@10') as string;
  // Teacher i of distillation i: the first is the plan's full-data run (or --teacher), the others
  // are trained with their own seeds under runs/full-d<i>.
  const suffix = (i: number) => (i === 1 ? '' : `-d${i}`);
  const teachers: Teacher[] = [];
  for (let i = 1; i <= count; i++) {
    const named = [options.teacher ?? []].flat()[i - 1];
    const given = named !== undefined;
    const run = named ?? path.join(runs, `full${suffix(i)}`);
    const first = teachers[0];
    const seedSets = first ? [`seed=${first.seed + SEED_STRIDE * (i - 1)}`] : [];
    const m = train(
      options,
      run,
      plan.train,
      sets([...(options.fullSets ?? []), ...seedSets]),
      given,
    );
    teachers.push({
      run,
      seed:
        readJson<{ seed: number }>(path.join(run, 'config.json'))?.seed ?? configSeed(plan.train),
      valid: m.valid?.metrics[metric],
      test: m.test?.metrics[metric] as number,
      trainSeconds: m.trainSeconds,
      events: m.source.events,
    });
  }
  const fullTest = meanSd(teachers.map((t) => t.test)).mean;
  const share = (x: number) => (lowerIsBetter(metric) ? fullTest / x : x / fullTest);
  const rows: QualityRow[] = [];
  const distillations: DistillationRecord[] = [];
  const addRow = (spec: RowSpec, cross?: CrossModel) => {
    const row = studentRow(options, metric, cross?.share ?? share, spec);
    rows.push(row);
    return row;
  };
  const cross = crossModel(options, metric);
  for (const budget of plan.budgets) {
    const [mu, xi] = budget.split('x').map(Number);
    for (const [method, config] of methods) {
      const optimised = !options.skipOptimised?.includes(budget);
      const baseSeed = configSeed(config, methodSets(options.distillSets, method));
      const made = teachers.map((teacher, k) => {
        const i = k + 1;
        const seedSets = i === 1 ? [] : [`seed=${baseSeed + SEED_STRIDE * (i - 1)}`];
        const record = {
          budget,
          method,
          index: i,
          teacherSeed: teacher.seed,
          teacherTest: teacher.test,
          seed: baseSeed + SEED_STRIDE * (i - 1),
        };
        // Each distillation names the training source that reads its data (summary.json); the
        // step-0 data is kept by the optimised run (initialSource), or distilled with
        // distill.outerSteps 0 (no optimised run, or one from before runs kept that data).
        let summary: DistillSummaryFile | undefined;
        let step0: SourceSpec | undefined;
        let step0Seconds: number | undefined;
        const dir = path.join(runs, `${method}${suffix(i)}-${budget}`);
        if (optimised) {
          summary = distill(
            options,
            method,
            config,
            dir,
            teacher.run,
            sets([`distill.size=[${mu},${xi}]`, ...seedSets]),
          );
          const initial = summary.initialSource;
          if (initial && (typeof initial.path !== 'string' || fs.existsSync(initial.path)))
            step0 = initial;
          step0Seconds = summary.initSeconds;
        }
        let zeroSummary: DistillSummaryFile | undefined;
        if (!step0) {
          const zeroDir = path.join(runs, `${method}-step0${suffix(i)}-${budget}`);
          const sets0 = sets([`distill.size=[${mu},${xi}]`, 'distill.outerSteps=0', ...seedSets]);
          zeroSummary = distill(options, method, config, zeroDir, teacher.run, sets0);
          step0Seconds = zeroSummary.initSeconds ?? zeroSummary.seconds;
          step0 = zeroSummary.source;
        }
        const validAt0 = (s?: DistillSummaryFile) =>
          (s?.history as { step: number; valid?: Record<string, number> }[] | undefined)?.find(
            (h) => h.step === 0,
          )?.valid?.[metric];
        return {
          suffix: suffix(i),
          summary,
          step0: step0 as SourceSpec,
          step0Seconds: step0Seconds ?? 0,
          record: {
            ...record,
            run: summary ? dir : path.join(runs, `${method}-step0${suffix(i)}-${budget}`),
            step0Valid: validAt0(summary) ?? validAt0(zeroSummary),
            ...(summary
              ? { bestValid: summary.bestMetric, bestStep: summary.bestStep, steps: summary.steps }
              : {}),
          } as DistillationRecord,
        };
      });
      let optimisedRow: QualityRow | undefined;
      if (optimised) {
        const done = made.filter((d) => d.summary);
        const spec = {
          budget,
          sources: done.map((d) => ({ suffix: d.suffix, source: d.summary?.source as object })),
          distillSeconds: done.map((d) => d.summary?.seconds as number),
        };
        optimisedRow = addRow({ ...spec, data: method });
        if (cross)
          addRow({ ...spec, data: `${cross.name}-on-${method}`, model: cross.model }, cross);
      }
      addRow({
        budget,
        data: `${method}-step0`,
        sources: made.map((d) => ({ suffix: d.suffix, source: d.step0 })),
        distillSeconds: made.map((d) => d.step0Seconds),
      });
      // Each distillation's own students (mean over the seeds), for the per-distillation table.
      const studentMean = (data: string, sfx: string, part: 'valid' | 'test' = 'test') => {
        const ms = options.seeds.map((seed) =>
          readJson<Metrics>(path.join(runs, `${data}${sfx}-${budget}-s${seed}`, 'metrics.json')),
        );
        return meanSd(ms.map((m) => m?.[part]?.metrics[metric] as number)).mean;
      };
      for (const d of made) {
        distillations.push({
          ...d.record,
          ...(optimisedRow
            ? { valid: studentMean(method, d.suffix, 'valid'), test: studentMean(method, d.suffix) }
            : {}),
          step0Test: studentMean(`${method}-step0`, d.suffix),
        });
      }
    }
    for (const baseline of options.skipBaselines ? [] : plan.baselines) {
      addRow({
        budget,
        data: baseline,
        sources: [{ suffix: '', source: { name: baseline, users: mu, length: xi } }],
      });
    }
  }
  const results = {
    dataset: options.dataset,
    command: options.command,
    metric,
    lowerIsBetter: lowerIsBetter(metric),
    full: {
      run: teachers[0].run,
      valid: meanSd(teachers.map((t) => t.valid as number)).mean,
      test: fullTest,
      ...(count > 1 ? { testSd: meanSd(teachers.map((t) => t.test)).sd } : {}),
      testHR10: readJson<Metrics>(path.join(teachers[0].run, 'metrics.json'))?.test?.metrics[
        'HR@10'
      ],
      trainSeconds: meanSd(teachers.map((t) => t.trainSeconds)).mean,
      events: teachers[0].events,
      teachers,
    },
    ...(cross ? { crossFull: cross.full } : {}),
    rows,
    distillations,
  };
  writeJsonAtomic(path.join(out, 'results.json'), results);
  writeFileAtomic(path.join(out, 'results.md'), qualityMarkdown(results));
  return results;
}

export type DatasetQualityResults = ReturnType<typeof runDatasetQuality>;
