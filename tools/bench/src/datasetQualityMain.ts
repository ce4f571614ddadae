import * as fs from 'fs';
import * as path from 'path';
import { DATASET_PLANS } from './datasetPlans';
import { runDatasetQuality } from './datasetQuality';
import { benchLog } from './benchLog';

/** `--datasets`: the per-data-set tables (full, Farzi, step-0, baselines; seeds; costs). */
export async function datasetsMain(
  values: {
    datasets?: string;
    seeds?: string;
    budgets?: string;
    teacher?: string;
    teachers?: string;
    'skip-baselines'?: boolean;
    distillations?: string;
    'cross-teacher'?: string;
    'distill-set'?: string[];
    'student-set'?: string[];
    'cross-student-set'?: string[];
    'full-set'?: string[];
    'skip-optimised'?: string;
    'skip-cross'?: boolean;
    method?: string;
  },
  outDir: string,
): Promise<void> {
  const names = (values.datasets as string).split(',').filter(Boolean);
  const unknown = names.filter((n) => !DATASET_PLANS[n]);
  if (unknown.length || names.length === 0) {
    process.stderr.write(
      `quality: --datasets ${unknown.join(',') || '(empty)'}: known data sets are ${Object.keys(DATASET_PLANS).join(', ')}\n`,
    );
    process.exit(2);
  }
  if ((values.teacher || values.teachers || values['cross-teacher']) && names.length > 1) {
    process.stderr.write(
      'quality: --teacher(s) and --cross-teacher name full-data runs of one data set: give one data set\n',
    );
    process.exit(2);
  }
  const distillations = Number(values.distillations ?? '3');
  if (!Number.isInteger(distillations) || distillations < 1) {
    process.stderr.write(
      `quality: --distillations ${values.distillations}: expected a whole number ≥ 1\n`,
    );
    process.exit(2);
  }
  const explicitOut = process.argv.some((a) => a === '--out' || a.startsWith('--out='));
  const explicitBudgets = process.argv.some((a) => a === '--budgets' || a.startsWith('--budgets='));
  for (const dataset of names) {
    const plan = DATASET_PLANS[dataset];
    const out = explicitOut ? path.join(outDir, dataset) : `benchmarks/quality-${dataset}`;
    fs.mkdirSync(out, { recursive: true });
    const datasetLog = benchLog(out);
    const results = runDatasetQuality({
      dataset,
      plan: {
        ...plan,
        ...(explicitBudgets ? { budgets: (values.budgets as string).split(',') } : {}),
        ...(values['skip-cross'] ? { crossModel: undefined } : {}),
      },
      out,
      seeds: (values.seeds as string).split(',').map(Number),
      teacher: values.teachers ? values.teachers.split(',').filter(Boolean) : values.teacher,
      skipBaselines: values['skip-baselines'],
      distillations,
      crossTeacher: values['cross-teacher'],
      distillSets: values['distill-set'],
      studentSets: values['student-set'],
      crossStudentSets: values['cross-student-set'],
      fullSets: values['full-set'],
      skipOptimised: values['skip-optimised']?.split(','),
      methods: values.method?.split(',').filter(Boolean),
      cli: path.resolve(__dirname, '../../cli/bin/farzi.js'),
      command: `node tools/bench/dist/quality.js ${process.argv.slice(2).join(' ')}`,
      log: datasetLog,
    });
    datasetLog(`${dataset}: ${results.rows.length} rows in ${out}/results.md`);
  }
}
