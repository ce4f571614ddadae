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

/** Grouped bars: one group per category, one bar per series. */
export function groupedBarSpec(
  title: string,
  rows: { category: string; series: string; value: number }[],
  yTitle: string,
  categoryOrder: string[],
): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: Math.max(320, categoryOrder.length * 140),
    height: 260,
    data: { values: rows },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: {
        field: 'category',
        type: 'nominal',
        sort: categoryOrder,
        title: null,
        // Bucket labels in full, wrapped rather than cut.
        axis: { labelAngle: 0, labelLimit: 0 },
      },
      xOffset: { field: 'series', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: {
        field: 'series',
        type: 'nominal',
        title: 'run',
        legend: { labelLimit: 0, orient: 'bottom', columns: 1 },
      },
    },
    config: { font: 'sans-serif', background: 'white' },
  } as vegaLite.TopLevelSpec;
}

/**
 * A line chart of y against x, one line per series; `integerX` draws integer ticks only (epochs,
 * steps); `separate` draws each series in its own panel with its own y scale, for curves that are
 * not comparable on one axis (losses of runs trained on different data).
 */
export function lineSpec(
  title: string,
  rows: { x: number; y: number; series: string }[],
  xTitle: string,
  yTitle: string,
  options: { integerX?: boolean; separate?: boolean } = {},
): vegaLite.TopLevelSpec {
  const x = {
    field: 'x',
    type: 'quantitative',
    title: xTitle,
    ...(options.integerX ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
  };
  const y = { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: rows },
    config: { font: 'sans-serif', background: 'white' },
  };
  if (options.separate) {
    return {
      ...base,
      facet: { field: 'series', type: 'nominal', title: null, header: { labelLimit: 0 } },
      columns: 3,
      spec: {
        width: 220,
        height: 160,
        mark: { type: 'line', point: true, tooltip: true },
        encoding: { x, y },
      },
      resolve: { scale: { y: 'independent' } },
    } as vegaLite.TopLevelSpec;
  }
  return {
    ...base,
    width: 420,
    height: 240,
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x,
      y,
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        legend: { labelLimit: 0, orient: 'bottom', columns: 1 },
      },
    },
  } as vegaLite.TopLevelSpec;
}

/** Text for an HTML page (the report's tables and headings). */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
