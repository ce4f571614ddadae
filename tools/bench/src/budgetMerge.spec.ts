import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CurvePoint, CurveSeries, mergeCurves } from './budgetCurveReport';
import { mergeBudgetDirs } from './budgetMerge';

const point = (label: string, percent: number, share: number, sd = 0, distillations = 1) =>
  ({ label, percent, share, sd, distillations }) as CurvePoint;

describe('merging budget curves', () => {
  const a: CurveSeries[] = [
    { name: 'Farzi Data', points: [point('51x5', 0.2, 0.4, 0.01), point('200x5', 0.78, 0.57)] },
    { name: 'random sample', points: [point('10%', 10, 0.35), point('full', 100, 1, 0.02)] },
  ];
  const b: CurveSeries[] = [
    { name: 'Farzi Data', points: [point('512x5', 2, 0.61), point('200x5', 0.78, 0.53, 0, 2)] },
    { name: 'random sample', points: [point('512x5', 2, 0.13), point('full', 100, 1)] },
    { name: 'head sample', points: [point('512x5', 2, 0.15)] },
  ];

  it('matches points by label, weights shared budgets by distillations and takes their spread', () => {
    const merged = mergeCurves([a, b]);
    expect(merged.map((s) => s.name)).toEqual(['Farzi Data', 'random sample', 'head sample']);
    const farzi = merged[0].points;
    expect(farzi.map((p) => p.label)).toEqual(['51x5', '200x5', '512x5']);
    // 200x5: (0.57·1 + 0.53·2) / 3, sd of the two curves' points (0.57, 0.53): 0.04/√2.
    expect(farzi[1].share).toBeCloseTo((0.57 + 2 * 0.53) / 3, 12);
    expect(farzi[1].sd).toBeCloseTo(0.04 / Math.SQRT2, 12);
    expect(farzi[1].distillations).toBe(3);
    expect(farzi[0]).toEqual(a[0].points[0]);
    const random = merged[1].points;
    expect(random.map((p) => p.label)).toEqual(['512x5', '10%', 'full']);
    expect(random[2]).toEqual({ ...a[1].points[1], sd: 0, distillations: 2 });
  });

  it('refuses one label at different shares of the events (two data sets)', () => {
    const other: CurveSeries[] = [{ name: 'Farzi Data', points: [point('200x5', 0.5, 0.5)] }];
    expect(() => mergeCurves([a, other])).toThrow(
      /"200x5" of "Farzi Data" .* not the same data set/,
    );
  });

  describe('from bench:budget run directories', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-budget-merge-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (name: string, series: CurveSeries[], fullTest: number, dataset = 'beauty') => {
      const d = path.join(dir, name);
      fs.mkdirSync(d, { recursive: true });
      const budget = { dataset, command: `budget ${name}`, target: 0.95, series };
      fs.writeFileSync(path.join(d, 'budget.json'), JSON.stringify(budget));
      fs.writeFileSync(
        path.join(d, 'results.json'),
        JSON.stringify({ metric: 'NDCG@10', full: { test: fullTest } }),
      );
      return d;
    };

    it('writes one curve (table, findings, sources, SVG) from two runs', async () => {
      const out = path.join(dir, 'merged');
      await mergeBudgetDirs([run('a', a, 0.05), run('b', b, 0.054)], out, 'merge cmd');
      const md = fs.readFileSync(path.join(out, 'budget.md'), 'utf8');
      expect(md).toContain('`merge cmd`');
      expect(md).toContain('(0.0520, mean over the teachers)');
      expect(md).toMatch(/\| 0\.78% \| 54\.3% ± 2\.8 \(3 dist\.\) \|/);
      expect(md).toMatch(/\| 2\.0% \| 61\.0% \| 13\.0% \| 15\.0% \|/);
      expect(md).toContain(
        'reaches 95% of full at **none** of the measured budgets; its best is 61.0% at 2.0%',
      );
      expect(md).toContain(`- \`${path.join(dir, 'a')}\` (full 0.0500): \`budget a\``);
      expect(fs.readFileSync(path.join(out, 'budget.svg'), 'utf8')).toMatch(
        /^<svg[\s\S]*head sample/,
      );
      const json = JSON.parse(fs.readFileSync(path.join(out, 'budget.json'), 'utf8'));
      expect(json.series[0].points).toHaveLength(3);
    });

    it('names the missing file, the bad JSON and a run of another data set', async () => {
      const out = path.join(dir, 'bad');
      const empty = path.join(dir, 'empty');
      fs.mkdirSync(empty);
      await expect(mergeBudgetDirs([run('c', a, 0.05), empty], out, 'm')).rejects.toThrow(
        `${path.join(empty, 'budget.json')}: not found`,
      );
      const broken = run('d', a, 0.05);
      fs.writeFileSync(path.join(broken, 'results.json'), '{"metric": ');
      await expect(mergeBudgetDirs([run('e', a, 0.05), broken], out, 'm')).rejects.toThrow(
        `${path.join(broken, 'results.json')}: not JSON`,
      );
      await expect(
        mergeBudgetDirs([run('f', a, 0.05), run('g', b, 0.05, 'sports')], out, 'm'),
      ).rejects.toThrow(/different data sets .*beauty, sports/);
      await expect(mergeBudgetDirs([run('h', a, 0.05)], out, 'm')).rejects.toThrow(/at least two/);
      expect(fs.existsSync(out)).toBe(false);
    });
  });
});
