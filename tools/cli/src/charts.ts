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
        axis: { labelAngle: 0 },
      },
      xOffset: { field: 'series', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'series', type: 'nominal', title: 'run' },
    },
    config: { font: 'sans-serif', background: 'white' },
  } as vegaLite.TopLevelSpec;
}

/** A line chart of y against x, one line per series. */
export function lineSpec(
  title: string,
  rows: { x: number; y: number; series: string }[],
  xTitle: string,
  yTitle: string,
): vegaLite.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
    config: { font: 'sans-serif', background: 'white' },
  } as vegaLite.TopLevelSpec;
}
