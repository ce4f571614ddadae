/*
 * The budget curve's figures (`npm run bench:budget`): share of full-data quality against the share
 * of training events, per kind of data (Farzi Data, its step-0 data, random and head samples); the
 * smallest budget at which Farzi Data reaches a target share; the budget random sampling needs for
 * the quality Farzi Data reaches at each of its budgets (the data saving a user gets); the table and
 * the chart (a Vega-Lite spec, rendered to SVG by the caller).
 */

/** One measured point: a budget (% of the training events) and its share of full-data quality. */
export interface CurvePoint {
  /** Training events of the data, as % of the full training data's. */
  readonly percent: number;
  /** The budget as written (μ×ξ), or the sample's % for the large random samples. */
  readonly label: string;
  /** Mean share of full-data test quality. */
  readonly share: number;
  /** Its spread: across distillations when there are several, else over the students. */
  readonly sd: number;
  /** How many distillations (or, for samples, 1) the point averages. */
  readonly distillations: number;
}

export interface CurveSeries {
  readonly name: string;
  /** Sorted by percent. */
  readonly points: readonly CurvePoint[];
}

/** The first (smallest-budget) point whose share reaches `target`, if any. */
export function firstReaching(series: CurveSeries, target: number): CurvePoint | undefined {
  return series.points.find((p) => p.share >= target);
}

/**
 * The budget (% of events) at which a series first reaches `share`, interpolated linearly in
 * log(percent) between the two measured points that bracket it; `{ below }` when its smallest
 * budget already reaches it, `{ above }` when no measured budget does.
 */
export function budgetFor(
  series: CurveSeries,
  share: number,
): { percent: number; between: [CurvePoint, CurvePoint] } | { below: number } | { above: number } {
  const pts = series.points;
  if (pts.length === 0) throw new Error(`budget curve: the series "${series.name}" is empty`);
  if (pts[0].share >= share) return { below: pts[0].percent };
  for (let i = 1; i < pts.length; i++) {
    const [a, b] = [pts[i - 1], pts[i]];
    if (b.share >= share) {
      const t = (share - a.share) / (b.share - a.share);
      const log = Math.log(a.percent) + t * (Math.log(b.percent) - Math.log(a.percent));
      return { percent: Math.exp(log), between: [a, b] };
    }
  }
  return { above: pts[pts.length - 1].percent };
}

const pct = (x: number) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));
const share = (p: CurvePoint) =>
  `${(100 * p.share).toFixed(1)}%${p.sd > 0 ? ` ± ${(100 * p.sd).toFixed(1)}` : ''}`;

/** What the curve says, as the budget table and its findings (markdown lines). */
export function curveMarkdown(
  series: readonly CurveSeries[],
  options: { dataset: string; target: number; fullTest: number; metric: string; command: string },
): string[] {
  const farzi = series.find((s) => s.name === 'Farzi Data');
  const random = series.find((s) => s.name === 'random sample');
  const percents = [...new Set(series.flatMap((s) => s.points.map((p) => p.percent)))].sort(
    (a, b) => a - b,
  );
  const cell = (s: CurveSeries, x: number) => {
    const p = s.points.find((q) => q.percent === x);
    return p ? `${share(p)}${p.distillations > 1 ? ` (${p.distillations} dist.)` : ''}` : '';
  };
  const lines = [
    `# The budget curve on ${options.dataset}`,
    '',
    `\`${options.command}\``,
    '',
    `Share of the full-data test ${options.metric} (${options.fullTest.toFixed(4)}, mean over the teachers) against the training events each kind of data holds (% of the full training data's); ± is the spread across distillations where there are several, else over the students' seeds.`,
    '',
    `| % of the events | ${series.map((s) => s.name).join(' | ')} |`,
    `| --- | ${series.map(() => '---').join(' | ')} |`,
    ...percents.map((x) => `| ${pct(x)}% | ${series.map((s) => cell(s, x)).join(' | ')} |`),
    '',
  ];
  if (farzi && farzi.points.length) {
    const reached = firstReaching(farzi, options.target);
    const best = farzi.points.reduce((a, b) => (b.share > a.share ? b : a));
    lines.push(
      reached
        ? `- Farzi Data first reaches ${(100 * options.target).toFixed(0)}% of full at **${pct(reached.percent)}%** of the events ([${reached.label.replace('x', '×')}]: ${share(reached)}).`
        : `- Farzi Data reaches ${(100 * options.target).toFixed(0)}% of full at **none** of the measured budgets; its best is ${share(best)} at ${pct(best.percent)}% ([${best.label.replace('x', '×')}]).`,
    );
  }
  if (farzi && random && random.points.length) {
    for (const p of farzi.points) {
      const r = budgetFor(random, p.share);
      const what =
        'percent' in r
          ? `**${pct(r.percent)}%** of the events (${(r.percent / p.percent).toFixed(0)}× the data; interpolated between its ${pct(r.between[0].percent)}% at ${share(r.between[0])} and ${pct(r.between[1].percent)}% at ${share(r.between[1])})`
          : 'below' in r
            ? `at most ${pct(r.below)}% (its smallest budget already does)`
            : `more than ${pct(r.above)}% (no measured random sample does)`;
      lines.push(
        `- For Farzi Data's ${share(p)} at ${pct(p.percent)}%, a random sample needs ${what}.`,
      );
    }
  }
  return lines;
}

/**
 * Several curves of one data set as one (budgets measured in different runs — another teacher,
 * another machine, another session). Series are matched by name and points by label (the budget
 * μ×ξ, a sample's %, or "full"); each point's share is already relative to its own run's full
 * data. Where several curves measured one label, the merged point is their mean weighted by
 * distillations, its spread the sd across the curves' points (each an independent distillation),
 * and its distillations their sum; the full data stays at share 1.
 */
export function mergeCurves(curves: readonly (readonly CurveSeries[])[]): CurveSeries[] {
  const names = [...new Set(curves.flatMap((c) => c.map((s) => s.name)))];
  return names.map((name) => {
    const byLabel = new Map<string, CurvePoint[]>();
    for (const curve of curves)
      for (const p of curve.find((s) => s.name === name)?.points ?? [])
        byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p]);
    const points = [...byLabel.values()].map((group): CurvePoint => {
      if (group.length === 1) return group[0];
      const count = group.reduce((sum, p) => sum + p.distillations, 0);
      const percents = new Set(group.map((p) => p.percent.toFixed(6)));
      if (percents.size > 1)
        throw new Error(
          `budget curves: "${group[0].label}" of "${name}" holds different shares of the events (${[...percents].join(', ')}%): not the same data set`,
        );
      if (group[0].label === 'full') return { ...group[0], sd: 0, distillations: count };
      const mean = group.reduce((sum, p) => sum + p.share * p.distillations, 0) / count;
      const plain = group.reduce((sum, p) => sum + p.share, 0) / group.length;
      const sd = Math.sqrt(
        group.reduce((sum, p) => sum + (p.share - plain) ** 2, 0) / (group.length - 1),
      );
      return { ...group[0], share: mean, sd, distillations: count };
    });
    return { name, points: points.sort((a, b) => a.percent - b.percent) };
  });
}

/** The chart: share of full against % of the events (log scale), a line per kind, ± as bars. */
export function curveSpec(series: readonly CurveSeries[], title: string, target: number): object {
  const values = series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.name,
      percent: p.percent,
      share: 100 * p.share,
      lo: 100 * (p.share - p.sd),
      hi: 100 * (p.share + p.sd),
    })),
  );
  const x = {
    field: 'percent',
    type: 'quantitative',
    title: '% of the training events (log scale)',
    scale: { type: 'log' },
    axis: { format: '~g' },
  };
  const color = {
    field: 'series',
    type: 'nominal',
    sort: series.map((s) => s.name),
    legend: { orient: 'bottom', title: null, labelLimit: 0 },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 480,
    height: 300,
    config: { font: 'sans-serif', background: 'white' },
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'share', type: 'quantitative', title: '% of full-data test quality' },
          color,
        },
      },
      {
        mark: { type: 'rule' },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
      },
      {
        data: { values: [{ target: 100 * target }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#7f7f7f' },
        encoding: { y: { field: 'target', type: 'quantitative' } },
      },
    ],
  };
}
