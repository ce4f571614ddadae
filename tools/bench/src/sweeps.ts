import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { readConfigFile, writeFileAtomic, writeJsonAtomic } from '@farzi/core';

/*
 * Sweep throughput: the shipped sweep (or --config) run from scratch with 1 and with 2 local
 * workers, each into a fresh folder, through the CLI as a user runs it; trials per hour from the
 * wall time of the whole sweep. Needs the sweep's Farzi Data file (see the sweep file's header).
 * Usage: node tools/bench/dist/sweeps.js [--config configs/sweep-models-on-farzi.yaml]
 *        [--workers 1,2] [--seeds 1] [--out benchmarks/sweeps]
 */
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'configs/sweep-models-on-farzi.yaml' },
    workers: { type: 'string', default: '1,2' },
    out: { type: 'string', default: 'benchmarks/sweeps' },
    // A subset with the same mix of models, learning rates and sources: only these seeds.
    seeds: { type: 'string' },
  },
});

/** The sweep file to run: the given one, or a copy whose grid keeps only --seeds. */
function sweepFile(): string {
  const file = path.resolve(values.config as string);
  if (!values.seeds) return file;
  const spec = readConfigFile(file);
  const grid = (spec.grid ?? {}) as Record<string, unknown>;
  grid.seed = (values.seeds as string).split(',').map(Number);
  spec.grid = grid;
  spec.base = path.resolve(path.dirname(file), spec.base as string);
  for (const entry of (spec.list ?? []) as Record<string, unknown>[]) {
    const source = entry['train.source'] as { path?: string } | undefined;
    if (source?.path) source.path = path.resolve(path.dirname(file), source.path);
  }
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-sweep-file-')), 'sweep.json');
  fs.writeFileSync(copy, JSON.stringify(spec));
  return copy;
}

interface Row {
  workers: number;
  trials: number;
  done: number;
  failed: number;
  seconds: number;
  trialsPerHour: number;
  meanTrialSeconds: number;
  best?: { settings: Record<string, unknown>; valid: number; test?: number };
}

function main(): void {
  const command = `node tools/bench/dist/sweeps.js ${process.argv.slice(2).join(' ')}`.trim();
  const out = values.out as string;
  fs.mkdirSync(out, { recursive: true });
  const cli = path.join(__dirname, '..', '..', 'cli', 'bin', 'farzi.js');
  const rows: Row[] = [];
  const file = sweepFile();
  for (const workers of (values.workers as string).split(',').map(Number)) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `farzi-sweep-bench-${workers}-`));
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [cli, 'sweep', '--config', file, '--out', folder, '--workers', String(workers)],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const seconds = (Date.now() - started) / 1000;
    const summary = JSON.parse(fs.readFileSync(path.join(folder, 'sweep.json'), 'utf8')) as {
      counts: { trials: number; done: number; failed: number };
      trials: { seconds: number }[];
      best?: Row['best'];
    };
    if (r.status !== 0 && summary.counts.failed === 0) throw new Error(`sweep exited ${r.status}`);
    rows.push({
      workers,
      trials: summary.counts.trials,
      done: summary.counts.done,
      failed: summary.counts.failed,
      seconds,
      trialsPerHour: (summary.counts.done * 3600) / seconds,
      meanTrialSeconds: summary.trials.reduce((a, t) => a + t.seconds, 0) / summary.trials.length,
      best: summary.best,
    });
    fs.copyFileSync(path.join(folder, 'sweep.csv'), path.join(out, `sweep-${workers}-workers.csv`));
    fs.rmSync(folder, { recursive: true, force: true });
    write(out, command, rows);
  }
}

function write(out: string, command: string, rows: Row[]): void {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${load} at the end`;
  writeJsonAtomic(path.join(out, 'results.json'), {
    command,
    machine,
    date: new Date().toISOString(),
    rows,
  });
  const lines = [
    '# Sweep throughput',
    '',
    `Command: \`${command}\` — ${machine}.`,
    '',
    '| workers | trials | done | failed | wall time | trials / hour | mean trial (wall) | best by validation |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.workers} | ${r.trials} | ${r.done} | ${r.failed} | ${(r.seconds / 60).toFixed(1)} min | ${r.trialsPerHour.toFixed(0)} | ${r.meanTrialSeconds.toFixed(1)} s | ${
          r.best
            ? `${JSON.stringify(r.best.settings)}: valid ${r.best.valid.toFixed(4)}, test ${r.best.test?.toFixed(4)}`
            : '–'
        } |`,
    ),
    '',
  ];
  writeFileAtomic(path.join(out, 'results.md'), lines.join('\n'));
}

main();
