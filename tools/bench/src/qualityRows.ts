import * as fs from 'fs';
import * as path from 'path';
import type { DatasetQualityOptions } from './datasetQuality';
import { Metrics, sets, train } from './qualityRuns';
import { rememberStudent, reuseStudent, studentKey } from './studentCache';

/* A row of the quality tables: the students of one training source (or of one source per
 * distillation) with every seed, and its figures — the students' spread, and the spread across
 * distillations. */

export interface QualityRow {
  readonly budget: string | null;
  readonly data: string;
  readonly seeds: number[];
  readonly events: number[];
  /** Sequences (users, or spans of text) each seed's training data held. */
  readonly sequences: number[];
  /**
   * Mean over every student; sd is the students' spread (over the seeds, within one distillation,
   * pooled over distillations when there are several).
   */
  readonly valid: { mean: number; sd: number };
  readonly test: { mean: number; sd: number };
  readonly testHR10?: { mean: number; sd: number };
  /** Test metric as a share of full data (full ÷ this for a lower-is-better metric). */
  readonly shareOfFull: number;
  readonly studentSeconds: number;
  /** Mean over the row's distillations. */
  readonly distillSeconds?: number;
  /**
   * Rows of distilled data made by several independent distillations (teacher and distillation
   * seeds): mean ± sd across them of each distillation's mean student.
   */
  readonly acrossDistillations?: {
    readonly count: number;
    readonly valid: { mean: number; sd: number };
    readonly test: { mean: number; sd: number };
    readonly shareOfFull: { mean: number; sd: number };
  };
}

export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd };
}

/** Mean of all values and the pooled within-group sd (the groups' own spread, not between them). */
export function pooledMeanSd(groups: readonly (readonly number[])[]): { mean: number; sd: number } {
  const all = groups.flat();
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  if (groups.length === 1) return meanSd(all);
  let ss = 0;
  let dof = 0;
  for (const g of groups) {
    const m = meanSd(g).mean;
    ss += g.reduce((a, b) => a + (b - m) ** 2, 0);
    dof += g.length - 1;
  }
  return { mean, sd: dof > 0 ? Math.sqrt(ss / dof) : 0 };
}

export const lowerIsBetter = (metric: string) => /perplexity|cross-entropy|loss/i.test(metric);

/** What one row's students train on: one source per distillation (one for a baseline). */
export interface RowSpec {
  readonly budget: string;
  /** The row's name, also the prefix of its run directories (with each distillation's suffix). */
  readonly data: string;
  readonly sources: readonly { readonly suffix: string; readonly source: object }[];
  readonly distillSeconds?: readonly number[];
  /** Another model section for the students (the cross-architecture rows). */
  readonly model?: object;
}

/** Students trained on `source` with every seed (reused when finished, or when the same data was). */
function students(
  options: DatasetQualityOptions,
  dir: (seed: number) => string,
  source: object,
  budget: string,
  model?: object,
) {
  const { plan, seeds } = options;
  const [mu] = budget.split('x').map(Number);
  const cache = options.studentCache ?? path.join(options.out, '.students');
  return seeds.map((seed) => {
    const setList = [
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
      ...(plan.studentSets?.[budget] ?? []),
      ...(options.studentSets ?? []),
      ...(model ? [...(plan.crossStudentSets ?? []), ...(options.crossStudentSets ?? [])] : []),
    ];
    const run = dir(seed);
    const key = studentKey(plan.distill, source, setList);
    const reused = reuseStudent(cache, key, run);
    if (reused) {
      if (reused.copiedNow)
        options.log(`reusing ${run}: the same data and settings as a finished student`);
      return reused.metrics;
    }
    const metrics = train(options, run, plan.distill, sets(setList));
    if (key && fs.existsSync(path.join(run, 'config.json'))) rememberStudent(cache, key, run);
    return metrics;
  });
}

/** One row: students of every source (distillation) with every seed. */
export function studentRow(
  options: DatasetQualityOptions,
  metric: string,
  share: (x: number) => number,
  spec: RowSpec,
): QualityRow {
  const { budget, data, sources, distillSeconds, model } = spec;
  const runs = path.join(options.out, 'runs');
  const groups = sources.map(({ suffix, source }) => {
    const dir = (seed: number) => path.join(runs, `${data}${suffix}-${budget}-s${seed}`);
    return students(options, dir, source, budget, model);
  });
  const all = groups.flat();
  const at = (ms: Metrics[], part: 'valid' | 'test', key: string) =>
    ms.map((m) => m[part]?.metrics[key] as number);
  const test = pooledMeanSd(groups.map((g) => at(g, 'test', metric)));
  const hr = at(all, 'test', 'HR@10');
  const means = (part: 'valid' | 'test') => groups.map((g) => meanSd(at(g, part, metric)).mean);
  return {
    budget,
    data,
    seeds: [...options.seeds],
    events: all.map((m) => m.source.events),
    sequences: all.map((m) => m.source.sequences),
    valid: pooledMeanSd(groups.map((g) => at(g, 'valid', metric))),
    test,
    ...(hr.every((x) => x !== undefined)
      ? { testHR10: pooledMeanSd(groups.map((g) => at(g, 'test', 'HR@10'))) }
      : {}),
    shareOfFull: share(test.mean),
    studentSeconds: meanSd(all.map((m) => m.trainSeconds)).mean,
    ...(distillSeconds?.length ? { distillSeconds: meanSd(distillSeconds).mean } : {}),
    ...(groups.length > 1
      ? {
          acrossDistillations: {
            count: groups.length,
            valid: meanSd(means('valid')),
            test: meanSd(means('test')),
            shareOfFull: meanSd(means('test').map(share)),
          },
        }
      : {}),
  };
}
