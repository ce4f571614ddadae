import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '@farzi/core';
import { DATASET_PLANS, DatasetPlan } from './datasetPlans';
import { DatasetQualityResults, meanSd, runDatasetQuality } from './datasetQuality';
import { outerLoopGain } from './datasetQualityReport';
import { benchLog } from './benchLog';

/*
 * The quality levers' ablation (`npm run bench:levers -- --dataset ml-100k`): the shipped recipe and
 * each lever as a change of it, every one from the same teachers over ≥ 3 independent
 * distillations with the same student seeds (bench:quality's machinery, one directory per lever),
 * then one table: validation first (the choice is made there), test beside it.
 */

/** Each lever as `--set`s on the shipped distillation config. */
export const LEVERS: Readonly<Record<string, (crossModel?: object) => string[]>> = {
  recipe: () => [],
  coverage: () => ['distill.teacher.windows=coverage'],
  backoff: () => ['distill.outerBackoff.factor=0.5'],
  // Back-off past the validation student's noise only (a fall of more than 1% of the best).
  'backoff-1pct': () => ['distill.outerBackoff.factor=0.5', 'distill.outerBackoff.threshold=0.01'],
  'support-64': () => ['distill.support=64'],
  features: () => ['distill.outerTeacher.featureWeight=1'],
  'inner-random': () => ['distill.innerInit=random'],
  // The real positions of the outer loss weighted by (next item's count)^(−α): the torso's share.
  'popularity-0.1': () => ['distill.outerPopularityPower=0.1'],
  'popularity-0.2': () => ['distill.outerPopularityPower=0.2'],
  // Settings any bi-level method has (Farzi and TD3), for choosing them on validation.
  'outer-lr-0.003': () => ['distill.outerLearningRate=0.003'],
  'outer-lr-0.03': () => ['distill.outerLearningRate=0.03'],
  'teacher-weight-0.5': () => ['distill.outerTeacher.weight=0.5'],
  // Inner loops started from the kit's student pool (TD3's default is the paper's random starts).
  'inner-student': () => ['distill.innerInit=student'],
  'inner-student-lr-0.003': () => ['distill.innerInit=student', 'distill.outerLearningRate=0.003'],
  'inner-models': (cross) => {
    if (!cross) throw new Error('levers: inner-models needs a data set with a second architecture');
    return [`distill.innerModels=${JSON.stringify([cross])}`];
  },
};

const USAGE = `npm run bench:levers -- --dataset ml-100k [options]
  --levers recipe,coverage,…   levers to run (${Object.keys(LEVERS).join(', ')})
  --method farzi               the distillation method (its config in the data set's plan; td3 too)
  --budget 10x50               one budget μ×ξ
  --distillations 3            independent distillations per lever (teachers and seeds as bench:quality)
  --teachers a,b,c             finished full-data runs as the teachers (else trained under <out>/recipe)
  --seeds 42,7,123             student seeds
  --distill-set k=v            a --set for every distillation, before the lever's (repeatable)
  --full-set k=v               a --set for the full-data trainings (repeatable)
  --cross                      also the second architecture's students (GRU4Rec) on every lever's data
  --cross-teacher <run>        a finished full-data run of the second architecture (else trained
                               under <out>/<first lever>; it serves every lever)
  --out benchmarks/levers-<data set>
`;

function args() {
  try {
    return parseArgs({
      options: {
        dataset: { type: 'string' },
        levers: { type: 'string', default: Object.keys(LEVERS).join(',') },
        budget: { type: 'string', default: '' },
        method: { type: 'string' },
        distillations: { type: 'string', default: '3' },
        teachers: { type: 'string' },
        seeds: { type: 'string', default: '42,7,123' },
        'distill-set': { type: 'string', multiple: true, default: [] },
        'full-set': { type: 'string', multiple: true, default: [] },
        cross: { type: 'boolean', default: false },
        'cross-teacher': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`levers: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

/**
 * A lever's validation minus the reference lever's, distillation by distillation (the same teacher
 * and seeds: the spread across teachers cancels): "mean (d1 / d2 / …)", or '–' when a pair is missing.
 */
export function pairedValid(r: DatasetQualityResults, reference?: DatasetQualityResults): string {
  if (!reference) return '–';
  const valids = (x: DatasetQualityResults) =>
    new Map(x.distillations.map((d) => [`${d.method} ${d.budget} ${d.index}`, d.valid]));
  const ref = valids(reference);
  const deltas = r.distillations.map((d) => {
    const a = d.valid;
    const b = ref.get(`${d.method} ${d.budget} ${d.index}`);
    return a === undefined || b === undefined || !Number.isFinite(a - b) ? undefined : a - b;
  });
  if (!deltas.length || deltas.some((x) => x === undefined)) return '–';
  const sign = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(4)}`;
  const all = deltas as number[];
  return `${sign(meanSd(all).mean)} (${all.map(sign).join(' / ')})`;
}

/**
 * One lever's line of the ablation table, from its results (and the first lever's, for the paired
 * validation difference).
 */
export function leverLine(
  lever: string,
  sets: string[],
  r: DatasetQualityResults,
  reference?: DatasetQualityResults,
): string {
  const method = r.distillations[0]?.method ?? 'farzi';
  const row = (data: string) => r.rows.find((x) => x.data === data);
  const optimised = row(method);
  const step0 = row(`${method}-step0`);
  const cross = r.rows.find((x) => x.data.endsWith(`-on-${method}`));
  const f = (x: number) => x.toFixed(4);
  const pct = (s?: { mean: number; sd: number }) =>
    s ? `${(100 * s.mean).toFixed(1)}% ± ${(100 * s.sd).toFixed(1)}` : '–';
  const across = (x?: typeof optimised) =>
    x?.acrossDistillations ??
    (x ? { valid: x.valid, shareOfFull: { mean: x.shareOfFull, sd: 0 } } : undefined);
  const gains = r.distillations
    .map((d) => outerLoopGain(d, r.lowerIsBetter))
    .filter((x): x is number => x !== undefined && Number.isFinite(x));
  const g = gains.length ? meanSd(gains) : undefined;
  const v = across(optimised)?.valid;
  return `| ${lever} | ${sets.map((s) => `\`${s.length > 60 ? `${s.slice(0, 57)}…` : s}\``).join(' ') || '(shipped)'} | ${v ? `${f(v.mean)} ± ${f(v.sd)}` : '–'} | ${pairedValid(r, reference)} | ${g ? `${(100 * g.mean).toFixed(1)}% ± ${(100 * g.sd).toFixed(1)} (min ${(100 * Math.min(...gains)).toFixed(1)}%)` : '–'} | ${pct(across(optimised)?.shareOfFull)} | ${pct(across(step0)?.shareOfFull)} | ${pct(across(cross)?.shareOfFull)} | ${optimised?.distillSeconds?.toFixed(0) ?? '–'} |`;
}

/** What one ablation runs: the data set's plan, the levers and the runs' settings. */
export interface LeversOptions {
  readonly dataset: string;
  readonly plan: DatasetPlan;
  readonly levers: readonly string[];
  readonly budget: string;
  readonly out: string;
  readonly seeds: readonly number[];
  readonly distillations: number;
  readonly teachers?: readonly string[];
  readonly method?: string;
  readonly cross?: boolean;
  readonly crossTeacher?: string;
  readonly distillSets?: readonly string[];
  readonly fullSets?: readonly string[];
  readonly cli: string;
  readonly command: string;
  readonly log: (line: string) => void;
}

/**
 * Runs every lever (bench:quality's runs under <out>/<lever>) and rewrites <out>/ablation.md after
 * each. The first lever's teachers — and its second-architecture teacher with `cross` — serve every
 * other lever, unless given.
 */
export function runLevers(o: LeversOptions): string[] {
  const { plan, budget, dataset } = o;
  const crossModel = plan.crossModel
    ? (JSON.parse(fs.readFileSync(plan.crossModel, 'utf8')) as { model: object }).model
    : undefined;
  let teachers = o.teachers;
  let crossTeacher = o.crossTeacher;
  const lines: string[] = [];
  let reference: DatasetQualityResults | undefined;
  for (const lever of o.levers) {
    const sets = LEVERS[lever](crossModel);
    const results = runDatasetQuality({
      dataset,
      plan: { ...plan, budgets: [budget], ...(o.cross ? {} : { crossModel: undefined }) },
      out: path.join(o.out, lever),
      seeds: o.seeds,
      distillations: o.distillations,
      teacher: teachers,
      crossTeacher,
      ...(o.method ? { methods: [o.method] } : {}),
      skipBaselines: true,
      studentCache: path.join(o.out, '.students'),
      distillSets: [...(o.distillSets ?? []), ...sets],
      fullSets: o.fullSets,
      command: o.command,
      cli: o.cli,
      log: o.log,
    });
    teachers ??= results.full.teachers.map((t) => t.run);
    crossTeacher ??= results.crossFull?.run;
    lines.push(leverLine(lever, sets, results, reference));
    reference ??= results;
    const full = results.full;
    const table = [
      `${dataset} [${budget.replace('x', '×')}]: the levers, each over ${o.distillations} distillations (teachers ${full.teachers.map((t) => t.seed).join(', ')}; full-data test ${results.metric} ${full.test.toFixed(4)}), students seeds ${o.seeds.join(',')}`,
      '',
      `\`${o.command}\``,
      '',
      `Valid: the benchmark's students on the optimised data, mean ± sd across distillations; paired: minus the ${o.levers[0]} lever's, distillation by distillation (the same teacher and seeds: choose on these). Outer-loop gain: each distillation's own validation student, best step ÷ step 0 − 1. Shares of full-data test ${results.metric}: mean ± sd across distillations.`,
      '',
      `| lever | settings | valid ${results.metric} | paired valid vs ${o.levers[0]} | outer-loop gain (valid) | test share | step-0 test share | ${crossModel ? 'cross-architecture test share' : '–'} | distill s |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...lines,
    ];
    writeFileAtomic(path.join(o.out, 'ablation.md'), `${table.join('\n')}\n`);
    o.log(`${lever}: ${lines[lines.length - 1]}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const values = args();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const dataset = values.dataset ?? '';
  const plan = DATASET_PLANS[dataset];
  const levers = (values.levers as string).split(',').filter(Boolean);
  const unknown = levers.filter((l) => !LEVERS[l]);
  if (!plan || unknown.length) {
    process.stderr.write(
      `levers: ${!plan ? `--dataset ${dataset || '(none)'}: known data sets are ${Object.keys(DATASET_PLANS).join(', ')}` : `unknown levers ${unknown.join(', ')}; known: ${Object.keys(LEVERS).join(', ')}`}\n`,
    );
    process.exit(2);
  }
  const out = values.out ?? `benchmarks/levers-${dataset}`;
  fs.mkdirSync(out, { recursive: true });
  runLevers({
    dataset,
    plan,
    levers,
    budget: (values.budget as string) || plan.budgets[0],
    out,
    seeds: (values.seeds as string).split(',').map(Number),
    distillations: Number(values.distillations),
    teachers: values.teachers?.split(',').filter(Boolean),
    method: values.method,
    cross: values.cross,
    crossTeacher: values['cross-teacher'],
    distillSets: values['distill-set'] as string[],
    fullSets: values['full-set'] as string[],
    cli: path.resolve(__dirname, '../../cli/bin/farzi.js'),
    command: `node tools/bench/dist/levers.js ${process.argv.slice(2).join(' ')}`,
    log: benchLog(out),
  });
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`levers: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
