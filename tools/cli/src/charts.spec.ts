import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { groupedBarSpec, renderVegaLite } from './charts';
import type { SweepSummary } from './sweep/results';
import { settingSpec } from './sweep/sweepReport';
import { CHROMIUM_ARGS, findChromium } from './testing/chromium';
import { cliWorkspace, run } from './testing/cliHarness';

// Issue 37: the report's and the analysis' charts, read back from a real browser as a person sees
// them: a one-epoch run's single validation point, integer epoch ticks, the runs' colours in
// `--run` order and the same in every chart, zero bars marked, a legend for every mark. Screenshots
// go to $FARZI_ARTIFACTS (default: <tmp>/farzi-artifacts) for a look by eye.
const workspace = cliWorkspace('farzi-charts-');
const { dir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());
const artifacts = process.env.FARZI_ARTIFACTS ?? path.join(os.tmpdir(), 'farzi-artifacts');
const chromium = findChromium();
let browser: Browser | undefined;

beforeAll(async () => {
  // Two runs of one epoch each, named so that their name order is not the --run order.
  const config = writeConfig(
    'one.json',
    { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 },
    {
      train: { epochs: 1, batchSize: 16, learningRate: 0.01, evalEvery: 1 },
    },
  );
  const gru = writeConfig(
    'gru.json',
    { name: 'gru4rec', embeddingSize: 8, hiddenSize: 8 },
    {
      train: { epochs: 3, batchSize: 16, learningRate: 0.01, evalEvery: 1 },
    },
  );
  for (const [file, out] of [
    [config, 'z-sasrec'],
    [gru, 'a-gru4rec'],
  ])
    expect((await run('train', '--config', file, '--out', path.join(dir, out))).code).toBe(0);
  if (chromium)
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  fs.mkdirSync(artifacts, { recursive: true });
});
afterAll(async () => browser?.close());

interface DrawnChart {
  title: string;
  xLabels: string[];
  yLabels: string[];
  legend: { label: string; colour: string }[];
  marks: { role: string; fill: string | null; stroke: string | null; text?: string }[];
}

/** What each SVG chart on the page draws: axis tick labels, legend entries and mark colours. */
async function drawnCharts(page: Page): Promise<DrawnChart[]> {
  return page.$$eval('svg', (svgs) =>
    svgs.map((svg) => {
      const texts = (selector: string) =>
        [...svg.querySelectorAll(selector)].map((t) => t.textContent ?? '');
      const axes = [...svg.querySelectorAll('g.role-axis')];
      // A wrapped label is one <text> with a <tspan> per line: each line is a label line here.
      const lines = (t: Element) => {
        const spans = [...t.querySelectorAll('tspan')];
        return spans.length ? spans.map((x) => x.textContent ?? '') : [t.textContent ?? ''];
      };
      const labels = (axis: Element | undefined) =>
        axis ? [...axis.querySelectorAll('g.role-axis-label text')].flatMap(lines) : [];
      const horizontal = axes.filter((a) => a.getAttribute('aria-label')?.startsWith('X-axis'));
      const vertical = axes.filter((a) => a.getAttribute('aria-label')?.startsWith('Y-axis'));
      const legendLabels = texts('g.role-legend-label text');
      const legendSymbols = [...svg.querySelectorAll('g.role-legend-symbol path')];
      return {
        title: texts('g.role-title-text text').join(' '),
        xLabels: horizontal.flatMap((a) => labels(a)),
        yLabels: vertical.flatMap((a) => labels(a)),
        legend: legendLabels.map((label, i) => ({
          label,
          colour:
            legendSymbols[i]?.getAttribute('fill') ??
            legendSymbols[i]?.getAttribute('stroke') ??
            '',
        })),
        marks: [
          ...svg.querySelectorAll(
            'g.mark-line path, g.mark-rect path, g.mark-symbol path, g.mark-text text',
          ),
        ].map((m) => ({
          role: m.closest('g[class^=mark-]')?.getAttribute('class') ?? '',
          fill: m.getAttribute('fill'),
          stroke: m.getAttribute('stroke'),
          text: m.tagName === 'text' ? (m.textContent ?? '') : undefined,
        })),
      };
    }),
  );
}

const browserIt = chromium ? it : it.skip;

/** Opens an HTML file (or HTML text) in the browser, saves a screenshot, returns its charts. */
async function chartsOf(html: string, shot: string): Promise<DrawnChart[]> {
  const page = await (browser as Browser).newPage();
  if (html.startsWith('<')) await page.setContent(html);
  else await page.goto(`file://${html}`);
  await page.screenshot({ path: path.join(artifacts, shot), fullPage: true });
  const charts = await drawnCharts(page);
  await page.close();
  return charts;
}

const numbers = (labels: string[]) => labels.map(Number);
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);

/** Every line/point/bar colour drawn for a run, by legend label. */
function coloursByRun(chart: DrawnChart): Map<string, string> {
  return new Map(chart.legend.map((l) => [l.label, l.colour]));
}

describe('charts as a browser draws them', () => {
  browserIt(
    'a report of one-epoch and three-epoch runs: integer epoch ticks, readable single points, one colour per run in --run order',
    async () => {
      const out = path.join(dir, 'report.html');
      const runs = ['z-sasrec', 'a-gru4rec'];
      const r = await run(
        'report',
        ...runs.flatMap((n) => ['--run', path.join(dir, n)]),
        '--out',
        out,
      );
      expect(r.code).toBe(0);
      const charts = await chartsOf(out, 'report-one-epoch.png');
      const loss = charts.find((c) => c.title.includes('Training loss')) as DrawnChart;
      // Two panels in --run order; each x axis 1, 2, 3 once (no "1 2 2 3 3").
      expect(loss.title.indexOf('z-sasrec')).toBeLessThan(loss.title.indexOf('a-gru4rec'));
      expect(loss.xLabels).toEqual(['1', '2', '3', '1', '2', '3']);
      const valid = charts.find((c) => c.title.includes('Validation NDCG@10')) as DrawnChart;
      expect(valid.legend.map((l) => l.label)).toEqual(runs);
      expect(increasing(numbers(valid.xLabels))).toBe(true);
      // The one-epoch run's single loss value: a y range around it, distinct tick labels.
      const sasrecY = loss.yLabels.slice(0, loss.yLabels.length);
      expect(new Set(sasrecY).size).toBe(sasrecY.length);
      // One colour per run, the same in every chart that has a legend, in --run order.
      const reference = coloursByRun(valid);
      expect([...reference.values()]).toEqual(['#4c78a8', '#f58518']);
      const withLegends = charts.filter((c) => c.legend.length > 0);
      expect(withLegends.length).toBeGreaterThanOrEqual(3);
      for (const c of withLegends) {
        expect([c.title, c.legend.map((l) => l.label)]).toEqual([c.title, runs]);
        for (const [label, colour] of coloursByRun(c)) expect(colour).toBe(reference.get(label));
      }
      // The panels draw each run in its colour too.
      const strokes = loss.marks.filter((m) => m.role.includes('mark-line')).map((m) => m.stroke);
      expect(strokes).toEqual(['#4c78a8', '#f58518']);
      // Bucket labels wrap onto two lines instead of overlapping.
      const buckets = charts.find((c) => c.title.includes('by user history length')) as DrawnChart;
      expect(buckets.xLabels.some((l) => l.startsWith('(n='))).toBe(true);
    },
  );

  browserIt(
    'a single validation of a single epoch: its own tick and a y range around the value',
    async () => {
      const out = path.join(dir, 'report-single.html');
      expect((await run('report', '--run', path.join(dir, 'z-sasrec'), '--out', out)).code).toBe(0);
      const charts = await chartsOf(out, 'report-single-run.png');
      const valid = charts.find((c) => c.title.includes('Validation NDCG@10')) as DrawnChart;
      expect(valid.xLabels).toEqual(['1']);
      const ys = numbers(valid.yLabels);
      expect(ys.length).toBeGreaterThanOrEqual(3);
      expect(new Set(valid.yLabels).size).toBe(valid.yLabels.length);
      const metrics = JSON.parse(
        fs.readFileSync(path.join(dir, 'z-sasrec', 'metrics.json'), 'utf8'),
      );
      const value = metrics.valid.metrics['NDCG@10'] as number;
      expect(Math.min(...ys)).toBeLessThan(value);
      expect(Math.max(...ys)).toBeGreaterThan(value);
    },
  );

  browserIt(
    'zero bars are marked "0", and every mark of the sweep chart has a legend entry',
    async () => {
      const bars = await renderVegaLite(
        groupedBarSpec(
          'NDCG@10 by bucket',
          [
            { category: 'head\n(n=3)', series: 'b', value: 0.2 },
            { category: 'head\n(n=3)', series: 'a', value: 0 },
            { category: 'tail\n(n=9)', series: 'b', value: 0 },
            { category: 'tail\n(n=9)', series: 'a', value: 0.1 },
          ],
          'NDCG@10',
          ['head\n(n=3)', 'tail\n(n=9)'],
          ['b', 'a'],
        ),
      );
      const sweep = await renderVegaLite(
        settingSpec(
          {
            metric: 'NDCG@10',
            keys: ['train.learningRate'],
            trials: [0.001, 0.001, 0.01].map((lr, i) => ({
              status: 'done',
              settings: { 'train.learningRate': lr },
              valid: { 'NDCG@10': 0.1 + i / 100 },
            })),
          } as unknown as SweepSummary,
          'train.learningRate',
        ),
      );
      const [barChart, sweepChart] = await chartsOf(
        `<html><body>${bars}${sweep}</body></html>`,
        'zero-bars-and-sweep.png',
      );
      expect(
        barChart.marks.filter((m) => m.text === '0' && m.role.includes('role-mark')),
      ).toHaveLength(2);
      expect(barChart.legend).toEqual([
        { label: 'b', colour: '#4c78a8' },
        { label: 'a', colour: '#f58518' },
      ]);
      expect(barChart.xLabels).toEqual(['head', '(n=3)', 'tail', '(n=9)']);
      expect(sweepChart.legend.map((l) => l.label)).toEqual(['a trial', 'mean of the trials']);
      expect(sweepChart.legend[1].colour).toBe('#d62728');
    },
  );

  browserIt('the demo’s report shows none of the faults', async () => {
    const dataRoot = path.join(dir, 'data');
    fs.mkdirSync(path.join(dataRoot, 'ml-100k'), { recursive: true });
    fs.copyFileSync(
      path.join(workspace.dataDir, 'u.data'),
      path.join(dataRoot, 'ml-100k', 'u.data'),
    );
    const out = path.join(dir, 'demo');
    expect((await run('demo', '--quick', '--data-dir', dataRoot, '--out', out)).code).toBe(0);
    const charts = await chartsOf(path.join(out, 'report.html'), 'report-demo.png');
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const c of charts) {
      // No repeated tick labels on any axis panel (each panel's ticks increase), legends ordered
      // as the runs are in the comparison table.
      const xs = numbers(c.xLabels);
      if (xs.every(Number.isFinite) && !c.title.includes('one panel per run'))
        expect([c.title, increasing(xs)]).toEqual([c.title, true]);
      expect([c.title, new Set(c.legend.map((l) => l.colour)).size]).toEqual([
        c.title,
        c.legend.length,
      ]);
    }
  });
});
