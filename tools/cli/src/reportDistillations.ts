import { escapeHtml as escape, lineSpec, renderVegaLite } from './charts';

// The distillation sections of `farzi report`: one per run, and the runs side by side.

/** A distillation run as the report reads it (its summary.json). */
export interface DistillRunInfo {
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

/** The outer loss, validation curve and budget of one distillation run. */
export async function distillationSection(d: DistillRunInfo): Promise<string> {
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
export async function distillationsSideBySide(distills: DistillRunInfo[]): Promise<string> {
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
            { integerX: true, seriesOrder: distills.map((d) => d.label) },
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
