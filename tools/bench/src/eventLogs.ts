import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as zlib from 'zlib';
import { pipeline } from 'stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { appServices } from '@farzi/cli';
import { loadData, validateDataConfig, writeFileAtomic, writeJsonAtomic } from '@farzi/core';

/*
 * Loading large event logs: the built-in line parser (format `delimited`) against DuckDB (format
 * `event-log`) on a generated log, from file to sequences with the same filters (minRating 2,
 * k-core 5), each load in a fresh child process so that its peak memory (max RSS) is its own.
 * The log: N events `user,item,rating,timestamp`, N/30 users, 50k items with Zipf(1.0) popularity,
 * seeded. Files: CSV (both readers; DuckDB also with a 300 MB memory limit, spilling beyond it),
 * and for DuckDB also CSV.gz and Parquet.
 * Usage: node tools/bench/dist/eventLogs.js [--events 10000000,100000] [--repeats 2]
 *        [--out benchmarks/event-logs] [--work <folder for the generated files>]
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000,100000' },
    repeats: { type: 'string', default: '2' },
    out: { type: 'string', default: 'benchmarks/event-logs' },
    work: { type: 'string', default: path.join(os.tmpdir(), 'farzi-event-logs') },
    child: { type: 'string' },
  },
});

interface Case {
  reader: 'delimited' | 'event-log';
  file: string;
  options?: Record<string, unknown>;
}

interface Measurement {
  seconds: number;
  peakRssMb: number;
  /** The process before loading (the app, TensorFlow.js, the wasm backend). */
  baselineRssMb: number;
  users: number;
  items: number;
  interactions: number;
}

/** One load in this process: the measurement as a JSON line on stdout. */
async function child(spec: Case): Promise<void> {
  const adapters = appServices().adapters;
  const data = validateDataConfig(
    {
      format: spec.reader,
      path: spec.file,
      options: spec.options ?? {},
      minRating: 2,
      kCore: 5,
      maxLength: 50,
    },
    adapters,
  );
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
  const started = process.hrtime.bigint();
  const loaded = await loadData(data, adapters);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (loaded.kind !== 'sequences') throw new Error('expected sequences');
  const interactions = loaded.sequences.reduce((n, s) => n + s.length, 0);
  const result: Measurement = {
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baselineRssMb,
    users: loaded.users.length,
    items: loaded.vocab.size - 1,
    interactions,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Seeded N-event log with Zipf item popularity, written in blocks. */
function generate(file: string, events: number): void {
  const items = 50_000;
  const cdf = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) cdf[i] = total += 1 / (i + 1);
  let seed = 20261129;
  const uniform = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const zipf = (): number => {
    const x = uniform() * total;
    let lo = 0;
    let hi = items - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const users = Math.max(1, Math.floor(events / 30));
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let block: string[] = [];
  for (let e = 0; e < events; e++) {
    const user = Math.floor(uniform() * users);
    const rating = 1 + Math.floor(uniform() * 5);
    block.push(`u${user},i${zipf()},${rating},${1_600_000_000 + e}`);
    if (block.length === 100_000) {
      fs.writeSync(fd, `${block.join('\n')}\n`);
      block = [];
    }
  }
  if (block.length > 0) fs.writeSync(fd, `${block.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
}

async function prepare(events: number): Promise<Record<string, string>> {
  fs.mkdirSync(values.work as string, { recursive: true });
  const base = path.join(values.work as string, `events-${events}`);
  const files = { csv: `${base}.csv`, gz: `${base}.csv.gz`, parquet: `${base}.parquet` };
  if (!fs.existsSync(files.csv)) generate(files.csv, events);
  if (!fs.existsSync(files.gz)) {
    await pipeline(
      fs.createReadStream(files.csv),
      zlib.createGzip({ level: 6 }),
      fs.createWriteStream(`${files.gz}.tmp`),
    );
    fs.renameSync(`${files.gz}.tmp`, files.gz);
  }
  if (!fs.existsSync(files.parquet)) {
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    await db.run(
      `COPY (SELECT column0 AS "user", column1 AS item, column2 AS rating, column3 AS "timestamp" ` +
        `FROM read_csv('${files.csv}', header = false)) TO '${files.parquet}.tmp' (FORMAT PARQUET)`,
    );
    db.closeSync();
    instance.closeSync();
    fs.renameSync(`${files.parquet}.tmp`, files.parquet);
  }
  return files;
}

function measure(spec: Case): Measurement {
  const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Measurement;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  if (values.child) return child(JSON.parse(values.child) as Case);
  const command = `node tools/bench/dist/eventLogs.js ${process.argv.slice(2).join(' ')}`.trim();
  const repeats = Number(values.repeats);
  const rows: Record<string, unknown>[] = [];
  const out = values.out as string;
  fs.mkdirSync(out, { recursive: true });
  for (const events of (values.events as string).split(',').map(Number)) {
    const files = await prepare(events);
    const cases: [string, Case][] = [
      ['delimited (line parser), CSV', { reader: 'delimited', file: files.csv }],
      ['event-log (DuckDB), CSV', { reader: 'event-log', file: files.csv }],
      [
        'event-log (DuckDB, memoryLimit 300MB), CSV',
        { reader: 'event-log', file: files.csv, options: { memoryLimit: '300MB' } },
      ],
      ['event-log (DuckDB), CSV.gz', { reader: 'event-log', file: files.gz }],
      ['event-log (DuckDB), Parquet', { reader: 'event-log', file: files.parquet }],
    ];
    const runs = new Map<string, Measurement[]>(cases.map(([name]) => [name, []]));
    // Cases alternate within each repeat, so that a busy spell hits all of them alike.
    for (let r = 0; r < repeats; r++) {
      for (const [name, spec] of cases) {
        const m = measure(spec);
        (runs.get(name) as Measurement[]).push(m);
        console.log(
          `${events} events, ${name}: ${m.seconds.toFixed(2)} s, ${m.peakRssMb.toFixed(0)} MB`,
        );
      }
    }
    for (const [name, spec] of cases) {
      const ms = runs.get(name) as Measurement[];
      rows.push({
        events,
        reader: name,
        fileMb: fs.statSync(spec.file).size / 2 ** 20,
        seconds: median(ms.map((m) => m.seconds)),
        secondsAll: ms.map((m) => Number(m.seconds.toFixed(3))),
        peakRssMb: Math.max(...ms.map((m) => m.peakRssMb)),
        baselineRssMb: median(ms.map((m) => m.baselineRssMb)),
        users: ms[0].users,
        items: ms[0].items,
        interactions: ms[0].interactions,
      });
    }
    writeResults(out, command, rows);
  }
}

function writeResults(out: string, command: string, rows: Record<string, unknown>[]): void {
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end`;
  writeJsonAtomic(path.join(out, 'results.json'), {
    command,
    machine,
    date: new Date().toISOString(),
    rows,
  });
  const lines = [
    `# Event-log loading: line parser vs DuckDB`,
    '',
    `Command: \`${command}\` — ${machine}. Filters: minRating 2, k-core 5; file → sequences.`,
    '',
    '| events | reader | file MB | seconds (median) | runs | peak RSS MB (before loading) | users | items | kept events |',
    '|---:|---|---:|---:|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${Number(r.events).toLocaleString('en-US')} | ${r.reader} | ${Number(r.fileMb).toFixed(0)} | ${Number(r.seconds).toFixed(2)} | ${(r.secondsAll as number[]).join(', ')} | ${Number(r.peakRssMb).toFixed(0)} (${Number(r.baselineRssMb).toFixed(0)}) | ${r.users} | ${r.items} | ${r.interactions} |`,
    ),
    '',
  ];
  writeFileAtomic(path.join(out, 'results.md'), lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
