import * as fs from 'fs';
import * as path from 'path';
import { readJsonFile, UserError } from '@farzi/core';
import { lineSpec, renderVegaLite } from './charts';
import { analyzeRuns } from './commands/analyze';
import type { PluginTrust } from './plugins';

interface TrainingRunInfo {
  kind: 'train';
  dir: string;
  label: string;
  metrics: {
    model: { name: string; parameters: number };
    source: { description: string; events: number };
    trainSeconds: number;
    epochsRun: number;
    bestEpoch: number | null;
    valid?: { protocol: string; metrics: Record<string, number> };
    test?: { protocol: string; metrics: Record<string, number> };
  };
  epochs: { epoch: number; loss: number; metrics?: Record<string, number> }[];
  recommendation: boolean;
  /** Events of the data's whole training part (data.json), if recorded. */
  trainingEvents?: number;
  settings: RunSettings;
}

/** What a run was: model, data, seed, backend, versions (for the report's settings block). */
interface RunSettings {
  model: string;
  data: string;
  seed: number | string;
  backend: string;
  versions: string;
}

interface DistillRunInfo {
  kind: 'distill';
  dir: string;
  label: string;
  summary: {
    budget: {
      sequences: number;
      length: number;
      events: number;
      percentOfTraining: number;
      realTrainingEvents: number;
    };
    bestStep: number | null;
    bestMetric: number | null;
    metric: string;
    seconds: number;
    /** The distiller (older runs: absent) and its own figures. */
    method?: string;
    details?: Record<string, unknown>;
    /** Older Farzi runs wrote their phase times here. */
    secondsPerOuterStep?: Record<string, number>;
    history: { step: number; outerLoss?: number; drift?: number; valid?: Record<string, number> }[];
  };
}

type RunInfo = TrainingRunInfo | DistillRunInfo;

function readRun(dir: string, label: string): RunInfo {
  if (fs.existsSync(path.join(dir, 'summary.json'))) {
    return {
      kind: 'distill',
      dir,
      label,
      summary: readJsonFile(path.join(dir, 'summary.json')),
    };
  }
  const metricsFile = path.join(dir, 'metrics.json');
  if (!fs.existsSync(metricsFile)) {
    throw new UserError(
      `${dir} is neither a finished training run (metrics.json) nor a distillation run (summary.json).`,
    );
  }
  const epochs: TrainingRunInfo['epochs'] = [];
  const logFile = path.join(dir, 'log.jsonl');
  if (fs.existsSync(logFile)) {
    for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let e: { type?: string; epoch: number; loss: number; metrics?: Record<string, number> };
      try {
        e = JSON.parse(line);
      } catch {
        continue; // a line torn by a crash in the append-only log
      }
      if (e.type === 'epoch') epochs.push({ epoch: e.epoch, loss: e.loss, metrics: e.metrics });
    }
  }
  const data = readJsonFile<{
    kind: string;
    trainingEvents?: number;
    versions?: { node: string; tfjs: string };
  }>(path.join(dir, 'data.json'));
  const metrics = readJsonFile<TrainingRunInfo['metrics'] & { backend?: string }>(metricsFile);
  return {
    kind: 'train',
    dir,
    label,
    metrics,
    epochs,
    recommendation: data.kind === 'leave-one-out',
    trainingEvents: data.trainingEvents,
    settings: runSettings(dir, metrics.backend, data.versions),
  };
}

function runSettings(
  dir: string,
  backend: string | undefined,
  versions: { node: string; tfjs: string } | undefined,
): RunSettings {
  const file = path.join(dir, 'config.json');
  const config = fs.existsSync(file)
    ? readJsonFile<{
        seed?: number;
        model?: Record<string, unknown>;
        data?: { dataset?: string; format?: string; path?: string; maxLength?: number };
      }>(file)
    : {};
  const { name, ...hyper } = config.model ?? {};
  const data = config.data ?? {};
  return {
    model: `${String(name ?? '?')} ${Object.entries(hyper)
      .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
      .join(', ')}`,
    data: `${data.dataset ?? data.format ?? '?'}${data.path ? ` (${data.path})` : ''}, maxLength ${data.maxLength ?? '?'}`,
    seed: config.seed ?? '?',
    backend: backend ?? '?',
    versions: versions ? `Node.js ${versions.node}, TensorFlow.js ${versions.tfjs}` : '?',
  };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function markdownTableToHtml(md: string): string {
  const out: string[] = [];
  let inTable = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      if (cells.every((c) => /^-+$/.test(c))) continue;
      if (!inTable) {
        out.push(
          '<table><thead><tr>' +
            cells.map((c) => `<th>${escape(c)}</th>`).join('') +
            '</tr></thead><tbody>',
        );
        inTable = true;
      } else out.push('<tr>' + cells.map((c) => `<td>${escape(c)}</td>`).join('') + '</tr>');
    } else {
      if (inTable) out.push('</tbody></table>');
      inTable = false;
      if (line.startsWith('### ')) out.push(`<h3>${escape(line.slice(4))}</h3>`);
      else if (line.startsWith('## ')) continue;
      else if (line.trim())
        out.push(`<p>${escape(line).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')}</p>`);
    }
  }
  if (inTable) out.push('</tbody></table>');
  return out.join('\n');
}

/**
 * One self-contained HTML report (inline SVG charts rendered by Vega, no network needed to view it):
 * comparison table, learning curves, the distillation's outer loss and validation metric per outer
 * step, data budget, and cold-start / tail bucket charts.
 */
export async function buildReport(
  dirs: string[],
  labels: string[],
  title = 'farzi report',
  trust: PluginTrust = {},
): Promise<string> {
  if (dirs.length === 0) throw new UserError('--run is required (repeat it for several runs).');
  const runs = dirs.map((d, i) => readRun(d, labels[i] ?? path.basename(path.resolve(d))));
  const training = runs.filter((r): r is TrainingRunInfo => r.kind === 'train');
  const distills = runs.filter((r): r is DistillRunInfo => r.kind === 'distill');
  const sections: string[] = [];

  if (training.length > 0) sections.push(...(await trainingSections(training)));
  if (distills.length > 1) sections.push(await distillationsSideBySide(distills));
  for (const d of distills) sections.push(await distillationSection(d));

  const recommendation = training.filter((t) => t.recommendation);
  if (recommendation.length > 0) {
    const { md, charts } = await analyzeRuns(
      recommendation.map((r) => r.dir),
      recommendation.map((r) => r.label),
      recommendation[0].dir,
      undefined,
      undefined,
      undefined,
      trust,
    );
    sections.push(
      `<h2>Cold-start users and tail items</h2><div class="charts"><figure>${charts.users}</figure><figure>${charts.items}</figure></div>${markdownTableToHtml(md)}`,
    );
  }

  return page(
    title,
    runs.map((r) => r.dir),
    sections,
  );
}

/** The comparison table, run settings and learning curves of training runs. */
async function trainingSections(training: TrainingRunInfo[]): Promise<string[]> {
  const sections: string[] = [];
  const reference = training[0];
  const keys = ['HR@10', 'NDCG@10', 'perplexity'].filter((k) =>
    training.some((t) => t.metrics.test?.metrics[k] !== undefined),
  );
  const refValue = (k: string) => reference.metrics.test?.metrics[k];
  const rows = training.map((t) => {
    const cells = keys.map((k) => {
      const v = t.metrics.test?.metrics[k];
      const ref = refValue(k);
      const pct =
        v !== undefined && ref
          ? ` <span class="pct">(${((100 * v) / ref).toFixed(0)}%)</span>`
          : '';
      return `<td>${v === undefined ? '–' : v.toFixed(4)}${pct}</td>`;
    });
    const share = t.trainingEvents
      ? ` <span class="pct">(${((100 * t.metrics.source.events) / t.trainingEvents).toFixed(2)}% of ${t.trainingEvents.toLocaleString('en-US')})</span>`
      : '';
    return `<tr><td>${escape(t.label)}</td><td>${escape(t.metrics.model.name)}</td><td>${escape(t.metrics.source.description)}</td><td>${t.metrics.source.events.toLocaleString('en-US')}${share}</td>${cells.join('')}<td>${t.metrics.trainSeconds.toFixed(0)} s</td></tr>`;
  });
  sections.push(
    `<h2>Comparison (test split)</h2><p class="note">Protocol: ${escape(reference.metrics.test?.protocol ?? '–')}. Metric percentages are relative to <b>${escape(reference.label)}</b>. ` +
      'Training events are the target positions a run trained on, as a share of all events of the training part of its data (the denominator of the Farzi budgets below).</p>' +
      `<table><thead><tr><th>run</th><th>model</th><th>trained on</th><th>training events</th>${keys.map((k) => `<th>${k}</th>`).join('')}<th>time</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  );
  const lossRows = training.flatMap((t) =>
    t.epochs.map((e) => ({ x: e.epoch, y: e.loss, series: t.label })),
  );
  const metricName = Object.keys(
    training.find((t) => t.epochs.some((e) => e.metrics))?.epochs.find((e) => e.metrics)?.metrics ??
      {},
  ).find((k) => k === 'NDCG@10' || k === 'perplexity');
  // Losses of runs on different training data (full, Farzi, a sample) are not comparable: one
  // panel per run, each with its own scale.
  const charts = [
    await renderVegaLite(
      lineSpec('Training loss per epoch (one panel per run)', lossRows, 'epoch', 'loss', {
        integerX: true,
        separate: true,
      }),
    ),
  ];
  if (metricName) {
    const validRows = training.flatMap((t) =>
      t.epochs
        .filter((e) => e.metrics?.[metricName] !== undefined)
        .map((e) => ({ x: e.epoch, y: e.metrics?.[metricName] as number, series: t.label })),
    );
    charts.push(
      await renderVegaLite(
        lineSpec(`Validation ${metricName} per epoch`, validRows, 'epoch', metricName, {
          integerX: true,
        }),
      ),
    );
  }
  sections.push(
    '<h2>Run settings</h2><table><thead><tr><th>run</th><th>model</th><th>data</th><th>seed</th><th>backend</th><th>versions</th></tr></thead><tbody>' +
      training
        .map(
          (t) =>
            `<tr><td>${escape(t.label)}</td><td>${escape(t.settings.model)}</td><td>${escape(t.settings.data)}</td><td>${escape(String(t.settings.seed))}</td><td>${escape(t.settings.backend)}</td><td>${escape(t.settings.versions)}</td></tr>`,
        )
        .join('') +
      '</tbody></table>',
  );
  sections.push(
    `<h2>Learning curves</h2><div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`,
  );
  return sections;
}

/** The outer loss, validation curve and budget of one distillation run. */
async function distillationSection(d: DistillRunInfo): Promise<string> {
  const s = d.summary;
  const loss = s.history
    .filter((h) => h.outerLoss !== undefined)
    .map((h) => ({ x: h.step, y: h.outerLoss as number, series: 'outer loss (real batch)' }));
  const valid = s.history
    .filter((h) => h.valid?.[s.metric] !== undefined)
    .map((h) => ({
      x: h.step,
      y: h.valid?.[s.metric] as number,
      series: `fresh student, validation ${s.metric}`,
    }));
  const charts = [
    await renderVegaLite(
      lineSpec('Outer loss per outer step', loss, 'outer step', 'cross-entropy', {
        integerX: true,
      }),
    ),
  ];
  if (valid.length > 0)
    charts.push(
      await renderVegaLite(
        lineSpec(
          `Validation ${s.metric} of a student trained on the current data`,
          valid,
          'outer step',
          s.metric,
          { integerX: true },
        ),
      ),
    );
  const details = describeDetails(
    s.details ?? (s.secondsPerOuterStep ? { secondsPerOuterStep: s.secondsPerOuterStep } : {}),
  );
  return (
    `<h2>Distillation${s.method ? ` (${escape(s.method)})` : ''}: ${escape(d.label)}</h2>` +
    `<p>Data budget: [${s.budget.sequences}×${s.budget.length}] = <b>${s.budget.events.toLocaleString('en-US')}</b> events, ` +
    `<b>${s.budget.percentOfTraining.toFixed(2)}%</b> of the ${s.budget.realTrainingEvents.toLocaleString('en-US')} real training events. ` +
    `Best validation ${escape(s.metric)} ${s.bestMetric === null ? '–' : s.bestMetric.toFixed(4)} at outer step ${s.bestStep ?? '–'}; ` +
    `${s.seconds.toFixed(0)} s in total${details ? ` (${escape(details)})` : ''}.</p>` +
    `<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`
  );
}

/**
 * Two or more distillations on one page: budget, best validation, steps, cost and each method's
 * own figures in one table, and their validation curves in one chart (one colour per run).
 */
async function distillationsSideBySide(distills: DistillRunInfo[]): Promise<string> {
  const header =
    '<tr><th>run</th><th>method</th><th>budget</th><th>share of the training events</th><th>best validation</th><th>steps</th><th>seconds</th><th>the method’s own figures</th></tr>';
  const rows = distills.map(({ label, summary: s }) => {
    const best =
      s.bestMetric === null
        ? '–'
        : `${escape(s.metric)} ${s.bestMetric.toFixed(4)} (step ${s.bestStep ?? '–'})`;
    const steps = (s as { steps?: number }).steps ?? (s as { outerSteps?: number }).outerSteps;
    const details = describeDetails(
      s.details ?? (s.secondsPerOuterStep ? { secondsPerOuterStep: s.secondsPerOuterStep } : {}),
    );
    return (
      `<tr><td>${escape(label)}</td><td>${escape(s.method ?? '?')}</td>` +
      `<td>[${s.budget.sequences}×${s.budget.length}] = ${s.budget.events.toLocaleString('en-US')} events</td>` +
      `<td>${s.budget.percentOfTraining.toFixed(2)}%</td><td>${best}</td><td>${steps ?? '–'}</td>` +
      `<td>${s.seconds.toFixed(0)}</td><td>${escape(details) || '–'}</td></tr>`
    );
  });
  const points = distills.flatMap(({ label, summary: s }) =>
    s.history
      .filter((h) => h.valid?.[s.metric] !== undefined)
      .map((h) => ({ x: h.step, y: h.valid?.[s.metric] as number, series: label })),
  );
  const metric = distills[0].summary.metric;
  const chart =
    points.length > 0
      ? `<figure>${await renderVegaLite(
          lineSpec(
            `Validation ${metric} of a student trained on each run's current data`,
            points,
            'outer step',
            metric,
            { integerX: true },
          ),
        )}</figure>`
      : '';
  return (
    '<h2>Distillations side by side</h2>' +
    `<table>${header}${rows.join('')}</table>` +
    (chart ? `<div class="charts">${chart}</div>` : '')
  );
}

/**
 * A method's own figures in words: `{secondsPerOuterStep: {forward: 1.02, …}}` → "seconds per outer
 * step: forward 1.02, …" (numbers and one level of named numbers; anything else is left out).
 */
export function describeDetails(details: Record<string, unknown>): string {
  const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const number = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toPrecision(3));
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'number' && Number.isFinite(value))
      parts.push(`${words(key)} ${number(value)}`);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = Object.entries(value as Record<string, unknown>)
        .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
        .map(([k, v]) => `${words(k)} ${number(v)}`);
      if (inner.length) parts.push(`${words(key)}: ${inner.join(', ')}`);
    }
  }
  return parts.join('; ');
}

/** The self-contained HTML page around the sections. */
function page(title: string, dirs: string[], sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.3rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.35rem 0.6rem; text-align: left; } th { background: #f4f4f4; }
.pct { color: #666; } .note { color: #555; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; }
</style></head>
<body><h1>${escape(title)}</h1><p class="note">Generated ${new Date().toISOString()} from ${dirs.map((dir) => `<code>${escape(dir)}</code>`).join(', ')}.</p>
${sections.join('\n')}
</body></html>
`;
}
