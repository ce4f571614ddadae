import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { CurveSeries, mergeCurves } from './budgetCurveReport';
import { writeCurveFiles } from './budgetCurve';

/*
 * One budget curve from several bench:budget runs of a data set (`npm run bench:budget:merge --
 * --out DIR A B …`): budgets measured at different times, by other teachers or on other machines,
 * drawn and summarised together (budget.{json,md,svg} in DIR). Each point's share is relative to
 * its own run's full data; a budget measured by several runs becomes one point averaged over
 * their distillations, its ± their spread.
 */

const USAGE = `npm run bench:budget:merge -- --out <dir> <budget dir> <budget dir> [...]
  each <budget dir> holds a finished bench:budget run (budget.json and results.json)
  --target 0.95      the share of full the summary looks for (default: the first run's)
`;

interface BudgetFile {
  dataset: string;
  command: string;
  target: number;
  series: CurveSeries[];
}

/** Reads one run's curve and its full data's test figure; a clear error for anything missing. */
function readRun(dir: string): BudgetFile & { fullTest: number; metric: string } {
  const read = <T>(file: string): T => {
    const where = path.join(dir, file);
    let text: string;
    try {
      text = fs.readFileSync(where, 'utf8');
    } catch {
      throw new Error(`${where}: not found (expected a finished bench:budget run in ${dir})`);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`${where}: not JSON (${(error as Error).message})`);
    }
  };
  const budget = read<BudgetFile>('budget.json');
  const results = read<{ full?: { test?: number }; metric?: string }>('results.json');
  if (!Array.isArray(budget.series) || typeof budget.dataset !== 'string')
    throw new Error(`${path.join(dir, 'budget.json')}: expected "dataset" and "series"`);
  if (typeof results.full?.test !== 'number' || typeof results.metric !== 'string')
    throw new Error(`${path.join(dir, 'results.json')}: expected "full.test" and "metric"`);
  return { ...budget, fullTest: results.full.test, metric: results.metric };
}

/** Merges the runs in `dirs` into one curve written to `out`; returns its series. */
export async function mergeBudgetDirs(
  dirs: readonly string[],
  out: string,
  command: string,
  target?: number,
): Promise<CurveSeries[]> {
  if (dirs.length < 2) throw new Error('expected at least two bench:budget runs to merge');
  const runs = dirs.map(readRun);
  const datasets = [...new Set(runs.map((r) => r.dataset))];
  const metrics = [...new Set(runs.map((r) => r.metric))];
  if (datasets.length > 1 || metrics.length > 1)
    throw new Error(
      `the runs are of different data sets or metrics (${[...datasets, ...metrics].join(', ')}): one curve is one data set`,
    );
  const series = mergeCurves(runs.map((r) => r.series));
  fs.mkdirSync(out, { recursive: true });
  await writeCurveFiles(
    out,
    series,
    {
      dataset: datasets[0],
      command,
      target: target ?? runs[0].target,
      fullTest: runs.reduce((sum, r) => sum + r.fullTest, 0) / runs.length,
      metric: metrics[0],
    },
    [
      'Merged from these runs (each share relative to its own full data):',
      '',
      ...runs.map((r, i) => `- \`${dirs[i]}\` (full ${r.fullTest.toFixed(4)}): \`${r.command}\``),
    ],
  );
  return series;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        out: { type: 'string' },
        target: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`budget merge: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const target = values.target === undefined ? undefined : Number(values.target);
  const problem = !values.out
    ? '--out: expected the directory for the merged curve'
    : positionals.length < 2
      ? `expected at least two bench:budget runs to merge (got ${positionals.length})`
      : target !== undefined && !(target > 0 && target <= 1)
        ? `--target ${values.target}: expected a share in (0, 1]`
        : undefined;
  if (problem) {
    process.stderr.write(`budget merge: ${problem}\n\n${USAGE}`);
    process.exit(2);
  }
  const command = `node tools/bench/dist/budgetMerge.js ${process.argv.slice(2).join(' ')}`;
  await mergeBudgetDirs(positionals, values.out as string, command, target);
  process.stdout.write(`budget merge: ${values.out}/budget.md, ${values.out}/budget.svg\n`);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`budget merge: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
