import * as fs from 'fs';
import * as path from 'path';
import type * as vegaLite from 'vega-lite';
import { readJsonFile, UserError } from '@farzi/core';
import { renderVegaLite } from '../charts';
import { valueLabel } from './sweepFile';
import type { SweepSummary } from './results';

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The validation metric of every finished trial against one swept setting, with the mean. */
export function settingSpec(summary: SweepSummary, key: string): vegaLite.TopLevelSpec {
  const rows = summary.trials
    .filter((t) => t.status === 'done' && t.valid?.[summary.metric] !== undefined)
    .map((t) => ({
      setting: valueLabel(t.settings[key]),
      score: t.valid?.[summary.metric] as number,
    }));
  const order = [...new Set(rows.map((r) => r.setting))];
  const x = {
    field: 'setting',
    type: 'nominal',
    sort: order,
    title: key,
    axis: { labelAngle: 0, labelLimit: 0 },
  };
  // Every mark in the legend: the trials' points and the red tick of their mean.
  const legendScale = { domain: ['a trial', 'mean of the trials'], range: ['#4c78a8', '#d62728'] };
  const legend = { title: null, orient: 'bottom', labelLimit: 0 };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `valid ${summary.metric} by ${key}`,
    width: Math.max(240, order.length * 110),
    height: 220,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.6, tooltip: true },
        encoding: {
          x,
          y: {
            field: 'score',
            type: 'quantitative',
            title: `valid ${summary.metric}`,
            scale: { zero: false },
          },
          color: { datum: 'a trial', scale: legendScale, legend: legend },
        },
      },
      {
        mark: { type: 'tick', thickness: 2, size: 30 },
        encoding: {
          x,
          y: { aggregate: 'mean', field: 'score', type: 'quantitative' },
          color: { datum: 'mean of the trials', scale: legendScale, legend: legend },
        },
      },
    ],
    config: { font: 'sans-serif', background: 'white' },
  } as unknown as vegaLite.TopLevelSpec;
}

/** `farzi report --sweep <dir>`: the trials' table and the metric against each swept setting. */
export async function buildSweepReport(dir: string, title?: string): Promise<string> {
  const file = path.join(dir, 'sweep.json');
  if (!fs.existsSync(file)) {
    throw new UserError(
      `--sweep ${dir}: no sweep.json there; run \`npx farzi sweep --out ${dir}\` first.`,
    );
  }
  const summary = readJsonFile(file) as SweepSummary;
  const m = summary.metric;
  const fmt = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(4));
  const header = [
    'trial',
    'status',
    ...summary.keys,
    `valid ${m}`,
    `test ${m}`,
    'best epoch',
    'seconds',
  ];
  const rows = [...summary.trials]
    .sort((a, b) => (b.valid?.[m] ?? -Infinity) - (a.valid?.[m] ?? -Infinity))
    .map((t) => {
      const cells = [
        t.id,
        t.status === 'failed' ? `failed: ${t.error ?? ''}` : t.status,
        ...summary.keys.map((k) => (k in t.settings ? valueLabel(t.settings[k]) : '')),
        fmt(t.valid?.[m]),
        fmt(t.test?.[m]),
        String(t.bestEpoch ?? '–'),
        t.trainSeconds === undefined ? '–' : t.trainSeconds.toFixed(0),
      ];
      const best = summary.best?.id === t.id ? ' best' : '';
      return `<tr class="trial ${t.status}${best}">${cells.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`;
    });
  const charts = await Promise.all(
    summary.keys.map((k) => renderVegaLite(settingSpec(summary, k))),
  );
  const best = summary.best
    ? `<p>Best by validation ${escape(m)}: <b>${escape(summary.best.id)}</b> (${escape(
        Object.entries(summary.best.settings)
          .map(([k, v]) => `${k}=${valueLabel(v)}`)
          .join(', '),
      )}) — valid ${fmt(summary.best.valid)}, test ${fmt(summary.best.test)}.</p>`
    : '<p>No trial finished.</p>';
  const name = title ?? `sweep ${path.basename(summary.sweep)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.35rem 0.6rem; text-align: left; } th { background: #f4f4f4; }
tr.best td { background: #eef7ee; } tr.failed td { color: #a00; } .note { color: #555; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; }
</style></head>
<body><h1>${escape(name)}</h1>
<p class="note">${escape(summary.sweep)} over ${escape(summary.base)}: ${summary.counts.done} done, ${summary.counts.failed} failed of ${summary.counts.trials} trials. Selection: ${escape(summary.selection)}.</p>
${best}
<h2>Metric by setting</h2><div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>
<h2>Trials</h2>
<table><tr>${header.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>
${rows.join('\n')}
</table>
</body></html>
`;
}
