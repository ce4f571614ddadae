import * as path from 'path';
import {
  checkWritableDirectory,
  LeaveOneOutSplit,
  makeDirectory,
  UserError,
  writeFileAtomic,
  writeJsonAtomic,
} from '@farzi/core';
import {
  BucketResult,
  Buckets,
  describeProtocol,
  itemBucketOf,
  itemPopularityBuckets,
  metricsByBucket,
  popularityLabels,
  rankRequest,
  TrainingMass,
  userHistoryBuckets,
} from '@farzi/metrics';
import type { Command } from '../Command';
import { groupedBarSpec, renderVegaLite } from '../charts';
import { loadRun, LoadedRun } from '../runs';
import { PluginTrust, pluginTrust, trustOptions } from '../plugins';
import { trainingMassOf, trainingMassTable } from '../trainingMass';

const METRICS = ['HR@10', 'NDCG@10'];

interface RunAnalysis {
  label: string;
  dir: string;
  overall: Record<string, number>;
  users: BucketResult[];
  items: BucketResult[];
  /** Where the run's training data puts its targets, by item popularity. */
  training: TrainingMass;
}

function parseNumbers(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isFinite(v)))
    throw new UserError(`--${flag}: expected comma-separated numbers (got "${text}").`);
  return values;
}

function change(value: number, reference: number): string {
  if (reference === 0) return '–';
  const pct = (100 * (value - reference)) / reference;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function table(
  title: string,
  runs: RunAnalysis[],
  pick: (r: RunAnalysis) => BucketResult[],
  reference: RunAnalysis,
): string {
  const buckets = pick(runs[0]);
  const header = [
    'bucket',
    'size',
    ...runs.flatMap((r) => METRICS.map((m) => `${r.label} ${m}`)),
    ...runs.filter((r) => r !== reference).map((r) => `${r.label} NDCG@10 vs ${reference.label}`),
  ];
  const lines = [
    `### ${title}`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  buckets.forEach((b, i) => {
    const cells = [b.label, String(b.size)];
    for (const r of runs)
      for (const m of METRICS) cells.push(pick(r)[i].metrics[m]?.toFixed(4) ?? '–');
    for (const r of runs)
      if (r !== reference)
        cells.push(
          change(pick(r)[i].metrics['NDCG@10'] ?? 0, pick(reference)[i].metrics['NDCG@10'] ?? 0),
        );
    lines.push(`| ${cells.join(' | ')} |`);
  });
  return lines.join('\n');
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary:
    'cold-start / tail analysis: metrics per user-history and item-popularity bucket, runs side by side',
  options: {
    run: {
      type: 'string',
      multiple: true,
      value: '<run-dir>',
      description: 'a training run (repeat to compare)',
    },
    label: {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'a label per --run, in order (default: folder names)',
    },
    reference: {
      type: 'string',
      value: '<run-dir>',
      description: 'the run relative changes are measured against (default: the first)',
    },
    out: {
      type: 'string',
      value: '<dir>',
      description:
        'where to write analysis.json, analysis.md and the SVG charts users.svg, items.svg, mass.svg (default analysis/)',
    },
    protocol: {
      type: 'string',
      value: 'full|sampled',
      description: "evaluation protocol (default: the first run's config)",
    },
    'user-buckets': {
      type: 'string',
      value: '<a,b,…>',
      description: 'upper bounds of history-length buckets (default: tertiles)',
    },
    'item-shares': {
      type: 'string',
      value: '<head,torso>',
      description: 'cumulative catalogue shares ending head and torso (default 0.2,0.5)',
    },
    json: { type: 'boolean', description: 'print the analysis as JSON' },
    ...trustOptions,
  },
  examples: [
    'npx farzi analyze --run runs/full --run runs/farzi --run runs/random --label full --label farzi --label random --out analysis',
  ],
  async run(values, io) {
    const dirs = (values.run as string[] | undefined) ?? [];
    if (dirs.length === 0) throw new UserError('--run is required (repeat it to compare runs).');
    const labels = (values.label as string[] | undefined) ?? [];
    if (labels.length > 0 && labels.length !== dirs.length)
      throw new UserError(
        `--label: give one label per --run (${dirs.length} runs, ${labels.length} labels).`,
      );
    const referenceDir = (values.reference as string | undefined) ?? dirs[0];
    if (!dirs.includes(referenceDir)) dirs.push(referenceDir);
    const protocol = values.protocol as string | undefined;
    if (protocol !== undefined && protocol !== 'full' && protocol !== 'sampled')
      throw new UserError(`--protocol: expected full or sampled (got "${protocol}").`);
    const userBounds = parseNumbers(values['user-buckets'] as string | undefined, 'user-buckets');
    const shares = parseNumbers(values['item-shares'] as string | undefined, 'item-shares');
    if (
      shares &&
      (shares.length !== 2 || !(0 < shares[0] && shares[0] < shares[1] && shares[1] < 1))
    ) {
      throw new UserError(
        '--item-shares: expected two increasing shares between 0 and 1, e.g. 0.2,0.5.',
      );
    }
    const outDir = (values.out as string | undefined) ?? 'analysis';
    checkWritableDirectory(outDir, '--out');
    const { result, md, charts } = await analyzeRuns(
      dirs,
      labels,
      referenceDir,
      protocol,
      userBounds,
      shares as [number, number] | undefined,
      pluginTrust(values),
    );
    makeDirectory(outDir, '--out');
    writeJsonAtomic(path.join(outDir, 'analysis.json'), result);
    writeFileAtomic(path.join(outDir, 'analysis.md'), md);
    writeFileAtomic(path.join(outDir, 'users.svg'), charts.users);
    writeFileAtomic(path.join(outDir, 'items.svg'), charts.items);
    writeFileAtomic(path.join(outDir, 'mass.svg'), charts.mass);
    io.out(
      values.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `${md}\nWrote ${outDir}/analysis.json, analysis.md, users.svg, items.svg, mass.svg\n`,
    );
    return 0;
  },
};

/** Ranks every run's test targets and reports metrics per cold-start and popularity bucket. */
export async function analyzeRuns(
  dirs: string[],
  labels: string[],
  referenceDir: string,
  protocol?: string,
  userBounds?: number[],
  shares?: [number, number],
  trust: PluginTrust = {},
): Promise<{
  result: { protocol: string; reference: string; runs: RunAnalysis[] } & Record<string, unknown>;
  md: string;
  charts: { users: string; items: string; mass: string };
}> {
  const analyses: RunAnalysis[] = [];
  let protocolText = '';
  let fingerprint: string | undefined;
  let userBuckets: Buckets | undefined;
  let itemBuckets: Buckets | undefined;
  let bucketOf: Int32Array | undefined;
  let realTraining: TrainingMass | undefined;
  const massLabels = popularityLabels(shares);
  for (const [i, dir] of dirs.entries()) {
    const run: LoadedRun = await loadRun(dir, trust);
    try {
      if (run.split.kind !== 'leave-one-out')
        throw new UserError(`${dir}: analyze needs recommendation data (leave-one-out), not text.`);
      if (fingerprint && run.fingerprint !== fingerprint)
        throw new UserError(
          `${dir} was trained on different data than ${dirs[0]}; compare runs on the same data.`,
        );
      fingerprint = run.fingerprint;
      const split = run.split as LeaveOneOutSplit;
      const evalConfig = { ...analysesConfig(run, protocol) };
      protocolText = describeProtocol(evalConfig, split);
      userBuckets ??= userHistoryBuckets(split, userBounds);
      itemBuckets ??= itemPopularityBuckets(split, split.test.targets, shares);
      const itemBucket = (bucketOf ??= itemBucketOf(split, shares));
      realTraining ??= trainingMassOf(run.config, split, itemBucket, massLabels, { name: 'real' });
      const ranked = rankRequest({
        model: run.model,
        params: run.params,
        split,
        part: 'test',
        config: evalConfig,
        seed: run.config.seed,
      });
      const all = { dimension: 'all', labels: ['all'], of: new Int32Array(ranked.ranks.length) };
      analyses.push({
        label: labels[i] ?? path.basename(path.resolve(dir)),
        dir,
        overall: metricsByBucket(ranked.ranks, ranked.candidates, all, evalConfig.ks)[0].metrics,
        users: metricsByBucket(ranked.ranks, ranked.candidates, userBuckets, evalConfig.ks),
        items: metricsByBucket(ranked.ranks, ranked.candidates, itemBuckets, evalConfig.ks),
        training: trainingMassOf(run.config, split, itemBucket, massLabels),
      });
    } finally {
      run.dispose();
    }
  }
  const reference = analyses[dirs.indexOf(referenceDir)];
  const result = {
    protocol: protocolText,
    split: 'test',
    reference: reference.label,
    userBuckets: userBuckets?.dimension,
    itemBuckets: itemBuckets?.dimension,
    realTraining,
    runs: analyses,
  };
  const md = analysisMarkdown(analyses, reference, protocolText, realTraining as TrainingMass);
  const charts = {
    ...(await bucketCharts(analyses)),
    mass: await massChart(analyses, realTraining as TrainingMass),
  };
  return { result, md, charts };
}

/** The overall, user-history and item-popularity tables, relative to the reference run. */
function analysisMarkdown(
  analyses: RunAnalysis[],
  reference: RunAnalysis,
  protocolText: string,
  realTraining: TrainingMass,
): string {
  return [
    `## Cold-start and tail analysis (test split)`,
    '',
    `Protocol: ${protocolText}. Relative changes are against **${reference.label}**.`,
    '',
    table(
      'Overall',
      analyses,
      (r) => [
        { label: 'all users', size: r.users.reduce((n, b) => n + b.size, 0), metrics: r.overall },
      ],
      reference,
    ),
    '',
    table('Users by training history length (cold start)', analyses, (r) => r.users, reference),
    '',
    table(
      'Test targets by item popularity (head / torso / tail)',
      analyses,
      (r) => r.items,
      reference,
    ),
    '',
    trainingMassTable(realTraining, analyses),
    '',
  ].join('\n');
}

/** NDCG@10 per user-history and per item-popularity bucket, one bar group per bucket. */
async function bucketCharts(analyses: RunAnalysis[]): Promise<{ users: string; items: string }> {
  const charts: Record<string, string> = {};
  for (const [name, pick, title] of [
    ['users', (r: RunAnalysis) => r.users, 'NDCG@10 by user history length'],
    ['items', (r: RunAnalysis) => r.items, 'NDCG@10 by target item popularity'],
  ] as const) {
    const rows = analyses.flatMap((r) =>
      pick(r).map((b) => ({
        category: `${b.label}\n(n=${b.size})`,
        series: r.label,
        value: b.metrics['NDCG@10'],
      })),
    );
    const order = pick(analyses[0]).map((b) => `${b.label}\n(n=${b.size})`);
    const runs = analyses.map((r) => r.label);
    charts[name] = await renderVegaLite(groupedBarSpec(title, rows, 'NDCG@10', order, runs));
  }
  return charts as { users: string; items: string };
}

/** Each training source's share of the target mass per item-popularity bucket, the real data first. */
async function massChart(analyses: RunAnalysis[], real: TrainingMass): Promise<string> {
  const series = [
    { label: 'real training data', training: real },
    ...analyses.map((r) => ({ label: r.label, training: r.training })),
  ];
  const rows = series.flatMap((s) =>
    s.training.shares.map((b) => ({ category: b.label, series: s.label, value: b.share })),
  );
  const order = real.shares.map((b) => b.label);
  const title = 'Training target mass by item popularity';
  const runs = analyses.map((r) => r.label);
  return renderVegaLite(
    groupedBarSpec(title, rows, 'share of the target mass', order, runs, ['real training data']),
  );
}

function analysesConfig(run: LoadedRun, protocol: string | undefined) {
  return { ...run.config.eval, ...(protocol ? { protocol: protocol as 'full' | 'sampled' } : {}) };
}
