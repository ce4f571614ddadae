import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic } from '@farzi/core';
import { DATASET_PLANS } from './datasetPlans';
import { DatasetQualityResults, meanSd, runDatasetQuality } from './datasetQuality';
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
  'support-64': () => ['distill.support=64'],
  features: () => ['distill.outerTeacher.featureWeight=1'],
  'inner-random': () => ['distill.innerInit=random'],
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
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`levers: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** One lever's line of the ablation table, from its results. */
export function leverLine(lever: string, sets: string[], r: DatasetQualityResults): string {
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
    .filter((d) => d.bestValid !== undefined && d.step0Valid)
    .map((d) => (d.bestValid as number) / (d.step0Valid as number) - 1);
  const g = gains.length ? meanSd(gains) : undefined;
  const v = across(optimised)?.valid;
  return `| ${lever} | ${sets.map((s) => `\`${s.length > 60 ? `${s.slice(0, 57)}…` : s}\``).join(' ') || '(shipped)'} | ${v ? `${f(v.mean)} ± ${f(v.sd)}` : '–'} | ${g ? `${(100 * g.mean).toFixed(1)}% ± ${(100 * g.sd).toFixed(1)} (min ${(100 * Math.min(...gains)).toFixed(1)}%)` : '–'} | ${pct(across(optimised)?.shareOfFull)} | ${pct(across(step0)?.shareOfFull)} | ${pct(across(cross)?.shareOfFull)} | ${optimised?.distillSeconds?.toFixed(0) ?? '–'} |`;
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
  const log = benchLog(out);
  const budget = (values.budget as string) || plan.budgets[0];
  const crossModel = plan.crossModel
    ? (JSON.parse(fs.readFileSync(plan.crossModel, 'utf8')) as { model: object }).model
    : undefined;
  const command = `node tools/bench/dist/levers.js ${process.argv.slice(2).join(' ')}`;
  let teachers = values.teachers?.split(',').filter(Boolean);
  const lines: string[] = [];
  for (const lever of levers) {
    const sets = LEVERS[lever](crossModel);
    const results = runDatasetQuality({
      dataset,
      plan: { ...plan, budgets: [budget], ...(values.cross ? {} : { crossModel: undefined }) },
      out: path.join(out, lever),
      seeds: (values.seeds as string).split(',').map(Number),
      distillations: Number(values.distillations),
      teacher: teachers,
      ...(values.method ? { methods: [values.method as string] } : {}),
      skipBaselines: true,
      distillSets: [...(values['distill-set'] as string[]), ...sets],
      fullSets: values['full-set'] as string[],
      command,
      cli: path.resolve(__dirname, '../../cli/bin/farzi.js'),
      log,
    });
    // The first lever's teachers serve every other one.
    teachers ??= results.full.teachers.map((t) => t.run);
    lines.push(leverLine(lever, sets, results));
    const full = results.full;
    const table = [
      `${dataset} [${budget.replace('x', '×')}]: the levers, each over ${values.distillations} distillations (teachers ${full.teachers.map((t) => t.seed).join(', ')}; full-data test ${results.metric} ${full.test.toFixed(4)}), students seeds ${values.seeds}`,
      '',
      `\`${command}\``,
      '',
      `Valid: the benchmark's students on the optimised data, mean ± sd across distillations (choose on this). Outer-loop gain: each distillation's own validation student, best step ÷ step 0 − 1. Shares of full-data test ${results.metric}: mean ± sd across distillations.`,
      '',
      `| lever | settings | valid ${results.metric} | outer-loop gain (valid) | test share | step-0 test share | ${crossModel ? 'cross-architecture test share' : '–'} | distill s |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...lines,
    ];
    writeFileAtomic(path.join(out, 'ablation.md'), `${table.join('\n')}\n`);
    log(`${lever}: ${lines[lines.length - 1]}`);
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`levers: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
