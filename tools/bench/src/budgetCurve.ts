import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { renderVegaLite } from '@farzi/cli';
import { writeFileAtomic, writeJsonAtomic } from '@farzi/core';
import { curveMarkdown, curveSpec, CurvePoint, CurveSeries } from './budgetCurveReport';
import { DATASET_PLANS } from './datasetPlans';
import {
  DatasetQualityOptions,
  DatasetQualityResults,
  lowerIsBetter,
  meanSd,
  QualityRow,
  runDatasetQuality,
} from './datasetQuality';
import { readJson, sets, train } from './qualityRuns';
import { benchLog } from './benchLog';

/*
 * The budget curve (`npm run bench:budget -- --dataset beauty`): Farzi Data (the shipped recipe),
 * its step-0 data, random and head samples at several budgets — bench:quality's rows, runs and
 * reuse — and random samples of larger shares of the training events (whole recent histories,
 * trained by the full-data recipe as a user trains on a subsample), up to the full data. Writes
 * budget.json, budget.md (the table, the smallest budget at which Farzi Data reaches the target
 * share of full, the budget random sampling needs for Farzi Data's quality) and budget.svg.
 */

const USAGE = `npm run bench:budget -- --dataset beauty [options]
  --budgets 60x5,200x5,600x5,1500x5   Farzi budgets μ×ξ (also the random/head samples' budgets)
  --sample-percents 10,20,50          random samples of these % of the training events (whole recent
                                      histories, up to 50 items; the full-data recipe)
  --distillations 1                   independent distillations per budget (teachers and seeds as
                                      bench:quality)
  --teacher <run> | --teachers a,b,c  finished full-data runs as the teachers
  --seeds 42,7,123                    student seeds
  --distill-set k=v                   a --set for every distillation (repeatable)
  --target 0.95                       the share of full the summary looks for
  --out benchmarks/budget-<data set>
Runs finished before are reused, interrupted ones resumed: run the same command again.
`;

function args() {
  try {
    return parseArgs({
      options: {
        dataset: { type: 'string' },
        budgets: { type: 'string', default: '60x5,200x5,600x5,1500x5' },
        'sample-percents': { type: 'string', default: '10,20,50' },
        distillations: { type: 'string', default: '1' },
        teacher: { type: 'string' },
        teachers: { type: 'string' },
        seeds: { type: 'string', default: '42,7,123' },
        'distill-set': { type: 'string', multiple: true, default: [] },
        target: { type: 'string', default: '0.95' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`budget: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** A row of bench:quality's results as a point of the curve (its budget μ·ξ as % of `events`). */
export function rowPoint(row: QualityRow, events: number): CurvePoint {
  const [mu, xi] = (row.budget as string).split('x').map(Number);
  const across = row.acrossDistillations;
  return {
    percent: (100 * mu * xi) / events,
    label: row.budget as string,
    share: across?.shareOfFull.mean ?? row.shareOfFull,
    sd: across?.shareOfFull.sd ?? (row.shareOfFull * row.test.sd) / row.test.mean,
    distillations: across?.count ?? 1,
  };
}

/** The curve's series from the budget rows, the large samples' points and the full data. */
export function curveSeries(
  results: Pick<DatasetQualityResults, 'rows' | 'full'>,
  samples: readonly CurvePoint[],
): CurveSeries[] {
  const { events } = results.full;
  const points = (data: string) =>
    results.rows
      .filter((r) => r.data === data)
      .map((r) => rowPoint(r, events))
      .sort((a, b) => a.percent - b.percent);
  const teachers = results.full.teachers.map((t) => t.test);
  const full: CurvePoint = {
    percent: 100,
    label: 'full',
    share: 1,
    sd: teachers.length > 1 ? meanSd(teachers).sd / results.full.test : 0,
    distillations: teachers.length,
  };
  return [
    { name: 'Farzi Data', points: points('farzi') },
    { name: 'Farzi Data, step 0', points: points('farzi-step0') },
    {
      name: 'random sample',
      points: [...points('random-sample'), ...samples, full].sort((a, b) => a.percent - b.percent),
    },
    { name: 'head sample', points: points('head-sample') },
  ].filter((s) => s.points.length > 0);
}

/**
 * Students on a random sample of `percent`% of the training events (users' recent histories of up
 * to maxLength items; on text, spans of maxLength tokens), by the full-data recipe.
 */
function samplePoint(
  options: DatasetQualityOptions,
  percent: number,
  events: number,
  fullTest: number,
  metric: string,
): CurvePoint {
  const length =
    readJson<{ data: { maxLength: number } }>(options.plan.train)?.data.maxLength ?? 50;
  const users = Math.ceil((events * percent) / 100 / length);
  const source = { name: 'random-sample', users, length };
  const tests = options.seeds.map((seed) => {
    const dir = path.join(options.out, 'runs', `random-p${percent}-s${seed}`);
    const m = train(options, dir, options.plan.train, [
      ...sets([`train.source=${JSON.stringify(source)}`, `seed=${seed}`]),
    ]);
    return m.test?.metrics[metric] as number;
  });
  const s = meanSd(tests.map((t) => (lowerIsBetter(metric) ? fullTest / t : t / fullTest)));
  return {
    percent: (100 * users * length) / events,
    label: `${percent}%`,
    share: s.mean,
    sd: s.sd,
    distillations: 1,
  };
}

async function main(): Promise<void> {
  const values = args();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const dataset = values.dataset ?? '';
  const plan = DATASET_PLANS[dataset];
  const target = Number(values.target);
  const percents = (values['sample-percents'] as string).split(',').filter(Boolean).map(Number);
  const bad = percents.filter((p) => !(p > 0 && p < 100));
  const budgetList = (values.budgets as string).split(',').filter(Boolean);
  const badBudgets = budgetList.filter((b) => !/^[1-9]\d*x[1-9]\d*$/.test(b));
  const problem = !plan
    ? `--dataset ${dataset || '(none)'}: known data sets are ${Object.keys(DATASET_PLANS).join(', ')}`
    : badBudgets.length || budgetList.length === 0
      ? `--budgets ${badBudgets.join(',') || '(empty)'}: expected μ×ξ budgets such as 51x5,200x5`
      : bad.length
        ? `--sample-percents ${bad.join(',')}: expected percentages between 0 and 100`
        : !(target > 0 && target <= 1)
          ? `--target ${values.target}: expected a share in (0, 1]`
          : undefined;
  if (problem) {
    process.stderr.write(`budget: ${problem}\n`);
    process.exit(2);
  }
  const out = values.out ?? `benchmarks/budget-${dataset}`;
  fs.mkdirSync(out, { recursive: true });
  const log = benchLog(out);
  const command = `node tools/bench/dist/budgetCurve.js ${process.argv.slice(2).join(' ')}`;
  const options: DatasetQualityOptions = {
    dataset,
    plan: { ...plan, budgets: budgetList, crossModel: undefined },
    out,
    seeds: (values.seeds as string).split(',').map(Number),
    distillations: Number(values.distillations),
    teacher: values.teachers ? values.teachers.split(',').filter(Boolean) : values.teacher,
    distillSets: values['distill-set'] as string[],
    command,
    cli: path.resolve(__dirname, '../../cli/bin/farzi.js'),
    log,
  };
  await runBudgetCurve({ ...options, target, percents });
  log(`budget curve: ${out}/budget.md, ${out}/budget.svg`);
}

/**
 * Runs (or reuses) every run of the curve — bench:quality's rows at each budget, then the random
 * samples of `percents`% of the training events — and writes the curve after each budget and each
 * sample (budget.json, budget.md, budget.svg in `options.out`). Returns the series.
 */
export async function runBudgetCurve(
  options: DatasetQualityOptions & {
    readonly target: number;
    readonly percents: readonly number[];
  },
): Promise<CurveSeries[]> {
  const { out, dataset, target, percents } = options;
  const command = options.command ?? '';
  // The curve is written after every budget and every sample (a long run shows what it has).
  const budgets = options.plan.budgets;
  let results: DatasetQualityResults | undefined;
  for (let k = 1; k <= budgets.length; k++) {
    results = runDatasetQuality({
      ...options,
      plan: { ...options.plan, budgets: budgets.slice(0, k) },
    });
    await writeCurve(out, dataset, command, target, results, []);
  }
  const done = results as DatasetQualityResults;
  const samples: CurvePoint[] = [];
  for (const p of percents) {
    samples.push(samplePoint(options, p, done.full.events, done.full.test, done.metric));
    await writeCurve(out, dataset, command, target, done, samples);
  }
  return curveSeries(done, samples);
}

/** Writes budget.json, budget.md and budget.svg from the rows and samples so far. */
async function writeCurve(
  out: string,
  dataset: string,
  command: string,
  target: number,
  results: DatasetQualityResults,
  samples: readonly CurvePoint[],
): Promise<void> {
  await writeCurveFiles(out, curveSeries(results, samples), {
    dataset,
    command,
    target,
    fullTest: results.full.test,
    metric: results.metric,
  });
}

/** Writes a curve's series as budget.json, budget.md and budget.svg in `out`. */
export async function writeCurveFiles(
  out: string,
  series: readonly CurveSeries[],
  options: { dataset: string; command: string; target: number; fullTest: number; metric: string },
  notes: readonly string[] = [],
): Promise<void> {
  const { dataset, command, target } = options;
  const md = [...curveMarkdown(series, options), ...(notes.length ? ['', ...notes] : [])];
  const svg = await renderVegaLite(
    curveSpec(series, `${dataset}: share of full-data quality against the budget`, target) as never,
  );
  writeJsonAtomic(path.join(out, 'budget.json'), { dataset, command, target, series });
  writeFileAtomic(
    path.join(out, 'budget.md'),
    `${md.join('\n')}\n\n![the budget curve](budget.svg)\n`,
  );
  writeFileAtomic(path.join(out, 'budget.svg'), svg);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`budget: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
