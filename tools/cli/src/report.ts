import * as fs from 'fs';
import * as path from 'path';
import { readJsonFile, UserError } from '@farzi/core';
import { escapeHtml, lineSpec, renderVegaLite } from './charts';
import {
  distillationSection,
  distillationsSideBySide,
  DistillRunInfo,
} from './reportDistillations';
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

const escape = escapeHtml;

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
        seriesOrder: training.map((t) => t.label),
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
          seriesOrder: training.map((t) => t.label),
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
