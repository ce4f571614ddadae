import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderVegaLite } from '@farzi/cli';
import { curveSeries, rowPoint, runBudgetCurve } from './budgetCurve';
import { toyConfigs, toyCorpus } from './toyBench.fixture';
import {
  budgetFor,
  curveMarkdown,
  curveSpec,
  CurvePoint,
  CurveSeries,
  firstReaching,
} from './budgetCurveReport';
import type { QualityRow } from './qualityRows';

const point = (percent: number, share: number) => ({
  percent,
  label: `${percent}`,
  share,
  sd: 0,
  distillations: 1,
});
const random: CurveSeries = {
  name: 'random sample',
  points: [point(1, 0.1), point(10, 0.5), point(100, 1)],
};

describe('the budget curve', () => {
  it('interpolates the budget a series needs in log(percent) between the bracketing points', () => {
    // 0.3 is halfway from 0.1 to 0.5: halfway between log 1 and log 10, i.e. √10 %.
    const r = budgetFor(random, 0.3) as { percent: number; between: CurvePoint[] };
    expect(r.percent).toBeCloseTo(Math.sqrt(10), 10);
    expect(r.between.map((p) => p.percent)).toEqual([1, 10]);
    expect(budgetFor(random, 0.75)).toEqual({
      percent: expect.closeTo(Math.sqrt(1000), 8),
      between: [random.points[1], random.points[2]],
    });
    expect(budgetFor(random, 0.05)).toEqual({ below: 1 });
    expect(budgetFor(random, 1.2)).toEqual({ above: 100 });
    expect(() => budgetFor({ name: 'x', points: [] }, 0.5)).toThrow(/"x" is empty/);
  });

  it('finds the smallest budget that reaches the target', () => {
    const farzi = { name: 'Farzi Data', points: [point(0.2, 0.5), point(1, 0.96), point(2, 0.99)] };
    expect(firstReaching(farzi, 0.95)?.percent).toBe(1);
    expect(firstReaching(farzi, 0.995)).toBeUndefined();
  });

  it('turns bench:quality rows into points: budget μ·ξ as % of the events, spread across distillations', () => {
    const row = {
      budget: '200x5',
      data: 'farzi',
      test: { mean: 0.03, sd: 0.003 },
      shareOfFull: 0.6,
      acrossDistillations: {
        count: 3,
        valid: { mean: 0, sd: 0 },
        test: { mean: 0.03, sd: 0.001 },
        shareOfFull: { mean: 0.58, sd: 0.02 },
      },
    } as unknown as QualityRow;
    expect(rowPoint(row, 100_000)).toEqual({
      percent: 1,
      label: '200x5',
      share: 0.58,
      sd: 0.02,
      distillations: 3,
    });
    // One distillation: the students' spread, as a share (0.6 × 0.003 / 0.03).
    const one = rowPoint({ ...row, acrossDistillations: undefined } as QualityRow, 100_000);
    expect(one.share).toBe(0.6);
    expect(one.sd).toBeCloseTo(0.06, 12);
  });

  it('ends the random series at the full data and says what Farzi Data saves', () => {
    const row = (data: string, budget: string, share: number) =>
      ({ budget, data, test: { mean: share, sd: 0 }, shareOfFull: share }) as unknown as QualityRow;
    const results = {
      rows: [
        row('farzi', '10x10', 0.5),
        row('farzi', '100x10', 0.9),
        row('farzi-step0', '10x10', 0.3),
        row('random-sample', '10x10', 0.1),
        row('random-sample', '100x10', 0.3),
        row('head-sample', '10x10', 0.05),
      ],
      full: { events: 10_000, test: 0.05, teachers: [{ test: 0.05 }] },
    } as unknown as Parameters<typeof curveSeries>[0];
    const series = curveSeries(results, [point(50, 0.8)]);
    expect(series.map((s) => s.name)).toEqual([
      'Farzi Data',
      'Farzi Data, step 0',
      'random sample',
      'head sample',
    ]);
    expect(series[2].points.map((p) => p.percent)).toEqual([1, 10, 50, 100]);
    const md = curveMarkdown(series, {
      dataset: 'toy',
      target: 0.95,
      fullTest: 0.05,
      metric: 'NDCG@10',
      command: 'cmd',
    }).join('\n');
    expect(md).toMatch(/\| 1\.0% \| 50\.0% \| 30\.0% \| 10\.0% \| 5\.0% \|/);
    expect(md).toMatch(/reaches 95% of full at \*\*none\*\* .* best is 90\.0% at 10%/);
    // Farzi's 50% at 1%: random reaches 0.3 at 10% and 0.8 at 50%: 0.5 is 2/5 of the way in log.
    const needed = Math.exp(Math.log(10) + 0.4 * (Math.log(50) - Math.log(10)));
    expect(md).toContain(
      `a random sample needs **${needed.toFixed(0)}%** of the events (${(needed / 1).toFixed(0)}× the data; interpolated between its 10% at 30.0% and 50% at 80.0%)`,
    );
    expect(md).toMatch(/For Farzi Data's 90\.0% at 10%, a random sample needs \*\*\d+%\*\*/);
  });

  it('draws the curve as an SVG with a line per kind of data', async () => {
    const farzi = { name: 'Farzi Data', points: [point(0.2, 0.5), point(2, 0.9)] };
    const svg = await renderVegaLite(curveSpec([farzi, random], 'toy curve', 0.95) as never);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('toy curve');
    expect(svg).toContain('random sample');
    expect(svg).toContain('% of the training events (log scale)');
    // Two series' lines (paths with the line role).
    expect((svg.match(/class="mark-line role-mark/g) ?? []).length).toBeGreaterThanOrEqual(1);
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(4);
  });
});

// bench:budget as a user runs it, at toy size (the toy text corpus and Transformer LM of the
// quality benchmark's test; perplexity, lower is better): the rows at two budgets, one random
// sample of half the training tokens, the curve files, and a rerun that trains nothing.
describe('bench:budget at toy size', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-budget-curve-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = path.resolve(__dirname, '../../cli/bin/farzi.js');

  it('runs Farzi Data, step 0 and random samples by budget, writes the curve, and reuses its runs', async () => {
    const { train, distill } = toyConfigs(dir, toyCorpus(dir));
    const out = path.join(dir, 'out');
    const logged: string[] = [];
    const options = {
      dataset: 'toy',
      plan: { train, distill, budgets: ['2x9', '4x9'], baselines: ['random-sample'] },
      out,
      seeds: [1],
      studentSets: ['train.epochs=2', 'train.evalEvery=1'],
      command: 'bench:budget toy',
      cli,
      log: (line: string) => logged.push(line),
      target: 0.95,
      percents: [50],
    };
    const series = await runBudgetCurve(options);
    expect(series.map((s) => s.name)).toEqual([
      'Farzi Data',
      'Farzi Data, step 0',
      'random sample',
    ]);
    const farzi = series[0].points;
    expect(farzi.map((p) => p.label)).toEqual(['2x9', '4x9']);
    expect(farzi[1].percent).toBeCloseTo(2 * farzi[0].percent, 10);
    // The random series: both budgets, the half sample (a share of full = full ÷ its perplexity),
    // and the full data at 100%.
    const random = series[2].points;
    expect(random.map((p) => p.label)).toEqual(['2x9', '4x9', '50%', 'full']);
    expect(random[2].percent).toBeGreaterThanOrEqual(50);
    expect(random[2].percent).toBeLessThan(60);
    expect(random[3]).toMatchObject({ percent: 100, share: 1 });
    for (const p of [...farzi, ...random]) expect(p.share).toBeGreaterThan(0);
    const md = fs.readFileSync(path.join(out, 'budget.md'), 'utf8');
    expect(md).toContain('# The budget curve on toy');
    expect(md).toMatch(/a random sample needs/);
    expect(fs.readFileSync(path.join(out, 'budget.svg'), 'utf8')).toMatch(/^<svg/);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'budget.json'), 'utf8')).series).toEqual(
      series,
    );
    expect(logged).toContain(`training ${path.join(out, 'runs', 'random-p50-s1')}`);

    // Run again: every run is reused, the same curve.
    logged.length = 0;
    expect(await runBudgetCurve(options)).toEqual(series);
    expect(logged.filter((l) => /^(training|distilling|resuming)/.test(l))).toEqual([]);
  }, 600_000);
});

describe('bench:budget on bad arguments', () => {
  it('names the argument and what it expected, exit 2, before any work', () => {
    const script = path.resolve(__dirname, '../dist/budgetCurve.js');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
    for (const [args, message] of [
      [['--dataset', 'nope'], /--dataset nope: known data sets are .*beauty/],
      [['--dataset', 'beauty', '--budgets', '200by5'], /--budgets 200by5: expected μ×ξ budgets/],
      [['--dataset', 'beauty', '--sample-percents', '150'], /--sample-percents 150: expected/],
      [['--dataset', 'beauty', '--target', '2'], /--target 2: expected a share in \(0, 1\]/],
    ] as const) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
