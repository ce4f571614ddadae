// `npm run bench:web`: seconds to train a SASRec student from Farzi Data in headless Chromium
// (each backend it offers) against the same training in Node (wasm, wasm-native), and the test
// NDCG@10 each reaches on the real test users (`farzi export-eval`, every user unless --users).
// Writes <out>/results.json and results.md with the command, the machine and the bundle's size.
//
//   npm run bench:web -- --case ml-100k=<farzi-data.safetensors>:configs/farzi-sasrec-ml100k.json \
//     [--case …] [--users N] [--browser-backends wasm,webgl] [--node-backends wasm,wasm-native]
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import puppeteer from 'puppeteer-core';
import { selectBackend, writeFileAtomic } from '@farzi/core';
import { main as cli } from '@farzi/cli';
import { loadFarziData } from '@farzi/distill-farzi';
import {
  evaluateOnSample,
  parseEvalSample,
  serveSite,
  siteDirectory,
  studentDefaults,
  trainOnFarziData,
} from '@farzi/web';
import { cpuFlags } from './peers';
import { machine } from './qualityTable';

interface Row {
  case: string;
  where: 'node' | 'chromium';
  backend: string;
  seconds: number;
  finalLoss: number;
  ndcg10: number;
  hr10: number;
  users: number;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const out = option('out', 'benchmarks/web');
  const users = option('users', '100000');
  const browserBackends = option('browser-backends', 'wasm,webgl').split(',');
  const nodeBackends = option('node-backends', 'wasm,wasm-native').split(',');
  const cases = process.argv
    .flatMap((a, i) => (a === '--case' ? [process.argv[i + 1]] : []))
    .map((c) => {
      const [label, rest] = c.split('=');
      const [file, config] = rest.split(':');
      return { label, file, config };
    });
  if (cases.length === 0) throw new Error('give at least one --case <label>=<farzi file>:<config>');
  fs.mkdirSync(out, { recursive: true });
  const rows: Row[] = [];
  const save = () => {
    const result = {
      command: `npm run bench:web -- ${process.argv.slice(2).join(' ')}`,
      machine: { ...machine('see rows'), cpuFlags: cpuFlags() },
      bundle: JSON.parse(fs.readFileSync(path.join(siteDirectory(), 'bundle.json'), 'utf8')),
      rows,
    };
    writeFileAtomic(path.join(out, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileAtomic(path.join(out, 'results.md'), markdown(result));
  };
  /** Keeps a measured row: printed, and the results files rewritten (a long run loses nothing). */
  const record = (row: Row) => {
    rows.push(row);
    console.log(JSON.stringify(row));
    save();
  };
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c) => fs.existsSync(c));
  for (const c of cases) {
    const evalFile = path.join(out, `${c.label}-eval.json`);
    if (!fs.existsSync(evalFile)) {
      const code = await cli([
        'export-eval',
        '--config',
        c.config,
        '--users',
        users,
        '--out',
        evalFile,
      ]);
      if (code !== 0) throw new Error(`export-eval failed for ${c.label}`);
    }
    const sample = parseEvalSample(fs.readFileSync(evalFile, 'utf8'), evalFile);
    for (const backend of nodeBackends) {
      await selectBackend(backend as 'wasm');
      const data = loadFarziData(c.file);
      const trained = await trainOnFarziData(data, studentDefaults(data));
      const m = evaluateOnSample(
        trained.model,
        trained.params,
        data.vocabulary,
        data.sourceFingerprint,
        sample,
      );
      record({
        case: c.label,
        where: 'node',
        backend,
        seconds: trained.seconds,
        finalLoss: trained.losses[trained.losses.length - 1],
        ndcg10: m.metrics['NDCG@10'],
        hr10: m.metrics['HR@10'],
        users: m.users,
      });
      tf.dispose([data.latent, data.decoder, ...Object.values(trained.params)]);
    }
    if (!chromium) {
      console.log('no Chromium here (apt-get install chromium): browser rows skipped');
      continue;
    }
    const site = await serveSite({ data: c.file, eval: evalFile }, { port: 0 });
    const browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--enable-unsafe-swiftshader'],
      // Training in software WebGL blocks the page for minutes between its yields.
      protocolTimeout: 7_200_000,
    });
    try {
      for (const backend of browserBackends) {
        const page = await browser.newPage();
        await page.goto(`${site.url}?backend=${backend}`);
        await page.waitForFunction(
          () => (globalThis as unknown as Farzi).farzi?.status === 'ready',
          {
            timeout: 120_000,
          },
        );
        const active = await page.evaluate(
          () => (globalThis as unknown as Farzi).farzi.backend.name,
        );
        if (active !== backend) {
          console.log(`${backend}: not available in this Chromium (got ${active})`);
          await page.close();
          continue;
        }
        await page.click('#train');
        await page.waitForFunction(
          () =>
            ['trained', 'error'].includes((globalThis as unknown as Farzi).farzi.status) ||
            (globalThis as unknown as Farzi).farzi.error,
          { timeout: 3_600_000, polling: 1000 },
        );
        await page.waitForFunction(
          () => (globalThis as unknown as Farzi).farzi.metrics !== undefined,
          {
            timeout: 3_600_000,
            polling: 1000,
          },
        );
        const s = await page.evaluate(() => (globalThis as unknown as Farzi).farzi);
        if (s.error) throw new Error(`${c.label} ${backend}: ${s.error}`);
        record({
          case: c.label,
          where: 'chromium',
          backend,
          seconds: s.seconds,
          finalLoss: s.losses[s.losses.length - 1],
          ndcg10: s.metrics['NDCG@10'],
          hr10: s.metrics['HR@10'],
          users: sample.sequences.length,
        });
        await page.close();
      }
    } finally {
      await browser.close();
      await site.close();
    }
  }
  save();
}

interface Farzi {
  farzi: {
    status: string;
    error?: string;
    backend: { name: string };
    seconds: number;
    losses: number[];
    metrics: Record<string, number>;
  };
}

function markdown(result: {
  command: string;
  machine: Record<string, unknown>;
  bundle: { 'app.js': number };
  rows: Row[];
}): string {
  const lines = [
    `\`${result.command}\``,
    '',
    `Machine: ${result.machine.cpuModel}, ${result.machine.cpus} cores, flags ${result.machine.cpuFlags}; Node ${result.machine.node}. Bundle: app.js ${(result.bundle['app.js'] / 1e6).toFixed(2)} MB (minified).`,
    '',
    '| data | where | backend | train s | final loss | test NDCG@10 | test HR@10 | users |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.rows.map(
      (r) =>
        `| ${r.case} | ${r.where} | ${r.backend} | ${r.seconds.toFixed(1)} | ${r.finalLoss.toFixed(4)} | ${r.ndcg10.toFixed(4)} | ${r.hr10.toFixed(4)} | ${r.users} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
