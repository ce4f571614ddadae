import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** Renders a Vega-Lite spec to a standalone SVG string (Vega's SVG renderer, headless in Node). */
export async function renderVegaLite(spec: vegaLite.TopLevelSpec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Colours of runs, in the order given (`--run` order): run i has the same colour in every chart. */
export const RUN_COLOURS = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

/** Colour for a series that is not a run (e.g. the real training data). */
export const REFERENCE_COLOUR = '#7f7f7f';

/**
 * A colour encoding that gives `runs[i]` the i-th run colour and `extra` series grey, with the
 * legend in that order (not sorted by name).
 */
export function runColour(
  runs: readonly string[],
  extra: readonly string[] = [],
  legend: Record<string, unknown> = {},
): Record<string, unknown> {
  const domain = [...runs, ...extra];
  return {
    field: 'series',
    type: 'nominal',
    sort: domain,
    scale: {
      domain,
      range: [
        ...runs.map((_, i) => RUN_COLOURS[i % RUN_COLOURS.length]),
        ...extra.map(() => REFERENCE_COLOUR),
      ],
    },
    legend: { labelLimit: 0, orient: 'bottom', columns: 1, ...legend },
  };
}

/** Axis labels split into lines at "\n" (long bucket names wrap instead of overlapping). */
const WRAPPED = { labelAngle: 0, labelLimit: 0, labelExpr: "split(datum.label, '\\n')" };

/**
 * Grouped bars: one group per category, one bar per series (`seriesOrder`: runs in `--run` order,
 * then `extraSeries` in grey). A zero value, which draws no bar, is marked with a "0" so that it
 * does not look like missing data.
 */
export function groupedBarSpec(
  title: string,
  rows: { category: string; series: string; value: number }[],
  yTitle: string,
  categoryOrder: string[],
  seriesOrder: string[] = [...new Set(rows.map((r) => r.series))],
  extraSeries: string[] = [],
): vegaLite.TopLevelSpec {
  const x = {
    field: 'category',
    type: 'nominal',
    sort: categoryOrder,
    title: null,
    axis: WRAPPED,
  };
  const xOffset = { field: 'series', type: 'nominal', sort: [...seriesOrder, ...extraSeries] };
  const y = { field: 'value', type: 'quantitative', title: yTitle };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: Math.max(320, categoryOrder.length * 140),
    height: 260,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x,
          xOffset,
          y,
          color: runColour(seriesOrder, extraSeries, { title: 'run' }),
        },
      },
      {
        transform: [{ filter: 'datum.value === 0' }],
        mark: { type: 'text', dy: -7, fontSize: 11 },
        encoding: { x, xOffset, y, text: { value: '0' } },
      },
    ],
    config: { font: 'sans-serif', background: 'white' },
  } as vegaLite.TopLevelSpec;
}

/** Integer ticks over [lo, hi], at most ~8 of them. */
function integerTicks(lo: number, hi: number): number[] {
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo); t <= hi; t += step) ticks.push(t);
  return ticks;
}

/**
 * Invisible points above and below a series whose values are all equal (one validation, a flat
 * curve), so that its y axis spans a readable range around the value instead of collapsing to it.
 */
function paddingRows(
  rows: { x: number; y: number; series: string }[],
): { x: number; y: number; series: string; pad: true }[] {
  const out: { x: number; y: number; series: string; pad: true }[] = [];
  for (const series of new Set(rows.map((r) => r.series))) {
    const own = rows.filter((r) => r.series === series);
    const ys = own.map((r) => r.y);
    if (Math.max(...ys) !== Math.min(...ys)) continue;
    const pad = Math.abs(ys[0]) * 0.1 || 1;
    out.push(
      { x: own[0].x, y: ys[0] - pad, series, pad: true },
      { x: own[0].x, y: ys[0] + pad, series, pad: true },
    );
  }
  return out;
}

/**
 * A line chart of y against x, one line per series (`seriesOrder`: runs in `--run` order, each in
 * its run colour); `integerX` draws integer ticks only (epochs, steps) over a domain padded by one
 * when every x is the same; `separate` draws each series in its own panel with its own y scale, for
 * curves that are not comparable on one axis (losses of runs trained on different data). A series
 * of one value gets a y range around it.
 */
export function lineSpec(
  title: string,
  rows: { x: number; y: number; series: string }[],
  xTitle: string,
  yTitle: string,
  options: { integerX?: boolean; separate?: boolean; seriesOrder?: string[] } = {},
): vegaLite.TopLevelSpec {
  const order = options.seriesOrder ?? [...new Set(rows.map((r) => r.series))];
  const xs = rows.map((r) => r.x);
  const [lo, hi] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const domain = lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  const x = {
    field: 'x',
    type: 'quantitative',
    title: xTitle,
    scale: { domain, nice: false },
    // One x (a single epoch): its tick only, not the padding's.
    axis:
      lo === hi
        ? { values: [lo], ...(options.integerX ? { format: 'd' } : {}) }
        : options.integerX
          ? { values: integerTicks(domain[0], domain[1]), format: 'd' }
          : {},
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: yTitle,
    scale: { zero: false },
    axis: { format: '~g' },
  };
  const color = runColour(order, [], { title: null });
  const layers = [
    {
      transform: [{ filter: '!datum.pad' }],
      mark: { type: 'line', point: true, tooltip: true },
      encoding: { x, y, color },
    },
    {
      transform: [{ filter: 'datum.pad' }],
      mark: { type: 'point', opacity: 0 },
      encoding: { x, y },
    },
  ];
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: [...rows, ...paddingRows(rows)] },
    config: { font: 'sans-serif', background: 'white' },
  };
  if (options.separate) {
    return {
      ...base,
      facet: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: order,
        header: { labelLimit: 0 },
      },
      columns: 3,
      spec: {
        width: 220,
        height: 160,
        layer: [{ ...layers[0], encoding: { x, y, color: { ...color, legend: null } } }, layers[1]],
      },
      resolve: { scale: { y: 'independent' } },
    } as vegaLite.TopLevelSpec;
  }
  return { ...base, width: 420, height: 240, layer: layers } as vegaLite.TopLevelSpec;
}

/** Text for an HTML page (the report's tables and headings). */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
