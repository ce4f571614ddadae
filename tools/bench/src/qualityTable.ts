import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The ML-100K quality table's formatting (bench:quality without --datasets).

/** What a distillation run did, from its config and summary: init, inner init, T, steps. */
export function describeDistillation(dir: string): string {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    distill: {
      innerInit: string;
      innerSteps: number;
      initScale: number;
      init: string;
      teacher?: { mix: number };
    };
  };
  const summaryFile = path.join(dir, 'summary.json');
  const summary = fs.existsSync(summaryFile)
    ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { outerSteps: number; bestStep: number })
    : undefined;
  const d = config.distill;
  const start =
    d.init === 'teacher'
      ? `teacher init (mix ${d.teacher?.mix})`
      : `${d.init} init scale ${d.initScale}`;
  return (
    `${start}, inner init ${d.innerInit}, T ${d.innerSteps}` +
    (summary ? `, best of ${summary.outerSteps} outer steps (${summary.bestStep})` : '')
  );
}

export function machine(backend: string): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    backend,
  };
}

export function gridCell(r: Record<string, unknown>): string {
  const grid = r.grid as { learningRate: number; validNdcg: number }[] | undefined;
  if (!grid) return 'full-data recipe';
  const best = grid.reduce((a, b) => (b.validNdcg > a.validNdcg ? b : a));
  return `${best.learningRate} (${grid.map((g) => `${g.learningRate}: ${g.validNdcg.toFixed(4)}`).join(', ')})`;
}

export function markdown(rows: Record<string, unknown>[]): string {
  const full = new Map<string, Record<string, Record<string, number>>>();
  for (const r of rows)
    if (r.data === 'full')
      full.set(r.model as string, r.test as Record<string, Record<string, number>>);
  const pct = (model: string, protocol: string, metric: string, value: number) => {
    const ref = full.get(model)?.[protocol]?.[metric];
    return ref ? `${((100 * value) / ref).toFixed(0)}%` : '–';
  };
  const lines = [
    '| run | events | full HR@10 | full NDCG@10 | % full | sampled HR@10 | sampled NDCG@10 | % full | train s | chosen lr (valid NDCG@10 per lr) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const t = r.test as Record<string, Record<string, number>>;
    const m = r.model as string;
    lines.push(
      `| ${r.name} | ${r.budgetEvents ?? 'all'} | ${t.full['HR@10'].toFixed(4)} | ${t.full['NDCG@10'].toFixed(4)} | ${pct(m, 'full', 'NDCG@10', t.full['NDCG@10'])} | ` +
        `${t.sampled['HR@10'].toFixed(4)} | ${t.sampled['NDCG@10'].toFixed(4)} | ${pct(m, 'sampled', 'NDCG@10', t.sampled['NDCG@10'])} | ${(r.trainSeconds as number).toFixed(0)} | ${gridCell(r)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
