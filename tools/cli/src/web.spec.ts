import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { selectBackend } from '@farzi/core';
import { loadFarziData } from '@farzi/distill-farzi';
import { recommendNext } from '@farzi/metrics';
import { evaluateOnSample, parseEvalSample, studentDefaults, trainOnFarziData } from '@farzi/web';
import { main } from './main';
import { CHROMIUM_ARGS, findChromium } from './testing/chromium';
import { capture, cliWorkspace, run } from './testing/cliHarness';

// Issue 38: Farzi Data trains a recommender in a real browser. The CLI distils a tiny data set,
// exports held-out sequences, serves the page (`farzi web`); headless Chromium trains SASRec there
// and must agree with the same training in Node, and its downloaded model must read back with
// `farzi recommend --export`.
const workspace = cliWorkspace('farzi-web-');
const { dir, dataDir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());
fs.writeFileSync(
  path.join(dataDir, 'u.item'),
  Array.from({ length: 40 }, (_, i) => `${i + 1}|Film ${i + 1}|01-Jan-1995||`).join('\n'),
  'latin1',
);
const runDir = path.join(dir, 'run-farzi');
const farziFile = path.join(runDir, 'farzi-data.safetensors');
const evalFile = path.join(dir, 'eval.json');
let config = '';

beforeAll(async () => {
  // The page as this checkout's sources make it (npm ci built it once; sources may have changed).
  const bundled = spawnSync(
    process.execPath,
    [path.join(__dirname, '..', '..', '..', 'packages', 'web', 'scripts', 'bundle.js')],
    { encoding: 'utf8' },
  );
  expect(bundled.stderr).toBe('');
  expect(bundled.status).toBe(0);
  const model = { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1, dropout: 0.1 };
  config = writeConfig('farzi.json', model, {
    distill: {
      method: 'farzi',
      size: [4, 8],
      latentDim: 4,
      teacher: { fitSteps: 10 },
      innerSteps: 2,
      outerSteps: 1,
      realBatchSize: 16,
      evalEvery: 1,
      student: { epochs: 6, learningRate: 0.01 },
    },
  });
  const teacher = path.join(dir, 'run-teacher');
  expect((await run('train', '--config', config, '--out', teacher)).code).toBe(0);
  const distilled = await run(
    'distill',
    '--config',
    config,
    '--set',
    `distill.teacher.checkpoint=${teacher}`,
    '--out',
    runDir,
  );
  expect(distilled.err).not.toContain('internal error');
  expect(distilled.code).toBe(0);
});

describe('farzi export-eval', () => {
  it('writes a seeded sample of real test sequences with titles and the split fingerprint', async () => {
    const r = await run('export-eval', '--config', config, '--users', '12', '--out', evalFile);
    expect(r.code).toBe(0);
    expect(r.out).toContain('wrote 12 of 30 users');
    const sample = parseEvalSample(fs.readFileSync(evalFile, 'utf8'), evalFile);
    expect(sample.sequences).toHaveLength(12);
    expect(sample.titles?.['7']).toBe('Film 7');
    // The Farzi Data carries the same fingerprint: the page checks one against the other.
    const data = loadFarziData(farziFile);
    expect(sample.source.fingerprint).toBe(data.sourceFingerprint);
    tf.dispose([data.latent, data.decoder]);
    // The last item of each user in u.data is the target; the history is everything before it.
    const events = fs
      .readFileSync(path.join(dataDir, 'u.data'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const again = path.join(dir, 'eval-again.json');
    expect(
      (await run('export-eval', '--config', config, '--users', '12', '--out', again)).code,
    ).toBe(0);
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(evalFile, 'utf8'));
    const byUser = new Map<string, string[][]>();
    for (const e of events) byUser.set(e[0], [...(byUser.get(e[0]) ?? []), e]);
    const sequences = [...byUser.values()].map((rows) =>
      rows.sort((a, b) => Number(a[3]) - Number(b[3])).map((r) => r[1]),
    );
    for (const s of sample.sequences) {
      const full = [...s.history, s.target];
      expect(sequences.some((q) => q.join(' ') === full.join(' '))).toBe(true);
    }
  });

  it('refuses bad options with the option named', async () => {
    const part = await run('export-eval', '--config', config, '--part', 'train', '--out', evalFile);
    expect(part.code).toBe(2);
    expect(part.err).toContain('--part: expected test or valid');
    const users = await run('export-eval', '--config', config, '--users', '0', '--out', evalFile);
    expect(users.err).toContain('--users: expected a whole number ≥ 1');
  });
});

describe('farzi web', () => {
  it('--build writes the page and the files for a static host, into a new or empty folder only', async () => {
    const site = path.join(dir, 'site');
    const r = await run('web', '--data', farziFile, '--eval', evalFile, '--build', site);
    expect(r.code).toBe(0);
    for (const file of ['index.html', 'app.js', 'style.css', 'site.json', 'data/eval.json'])
      expect(fs.existsSync(path.join(site, file))).toBe(true);
    expect(fs.readdirSync(path.join(site, 'wasm')).some((f) => f.endsWith('.wasm'))).toBe(true);
    expect(fs.readFileSync(path.join(site, 'data', 'farzi-data.safetensors'))).toEqual(
      fs.readFileSync(farziFile),
    );
    const siteJson = JSON.parse(fs.readFileSync(path.join(site, 'site.json'), 'utf8'));
    expect(siteJson).toEqual({
      data: 'data/farzi-data.safetensors',
      eval: 'data/eval.json',
      titles: 'data/titles.json',
    });
    const again = await run('web', '--data', farziFile, '--build', site);
    expect(again.code).toBe(2);
    expect(again.err).toContain('is not empty');
  });

  it('names the bad file or option before serving anything', async () => {
    const missing = await run('web', '--data', path.join(dir, 'nope.safetensors'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.safetensors');
    const other = path.join(dir, 'other-eval.json');
    const sample = JSON.parse(fs.readFileSync(evalFile, 'utf8'));
    fs.writeFileSync(
      other,
      JSON.stringify({ ...sample, source: { ...sample.source, fingerprint: 'x' } }),
    );
    const mismatch = await run('web', '--data', farziFile, '--eval', other);
    expect(mismatch.code).toBe(2);
    expect(mismatch.err).toContain('comes from other data');
    const port = await run('web', '--data', farziFile, '--port', '99999');
    expect(port.err).toContain('--port: expected a port number');
  });

  const chromium = findChromium();
  const browserIt = chromium ? it : it.skip;
  browserIt(
    'trains SASRec in headless Chromium as Node does, scores the held-out sample, recommends, and the downloaded model reads back',
    async () => {
      const io = capture();
      const served = main(['web', '--data', farziFile, '--eval', evalFile, '--port', '0'], io);
      let browser: Browser | undefined;
      try {
        const url = await waitFor(() => /at (http:\/\/\S+)/.exec(io.stdout)?.[1]);
        expect(io.stdout).toContain('40 item titles');

        // The same training in Node, on wasm (the page is told to use wasm too).
        await selectBackend('wasm');
        const data = loadFarziData(farziFile);
        const sample = parseEvalSample(fs.readFileSync(evalFile, 'utf8'), evalFile);
        const settings = studentDefaults(data);
        expect(settings).toMatchObject({
          model: 'sasrec',
          epochs: 6,
          learningRate: 0.01,
          batchSize: 4,
        });
        const node = await trainOnFarziData(data, settings);
        const nodeMetrics = evaluateOnSample(
          node.model,
          node.params,
          data.vocabulary,
          data.sourceFingerprint,
          sample,
        ).metrics;
        const history = sample.sequences[0].history.slice(-3);
        const nodeTop = recommendNext(
          node.model,
          node.params,
          history.map((id) => data.vocabulary.indexOf(id)),
          10,
        ).map((r) => data.vocabulary[r.index]);

        browser = await puppeteer.launch({
          executablePath: chromium,
          headless: true,
          args: CHROMIUM_ARGS,
        });
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`${url}?backend=wasm`);
        await page.waitForFunction(
          () => (window as unknown as FarziWindow).farzi?.status === 'ready',
          {
            timeout: 60_000,
          },
        );
        expect(await text(page, '#backend')).toContain('backend: wasm');
        expect(await text(page, '#data-info')).toContain(
          '4 synthetic sequences × 8 positions over 40 items',
        );
        await page.click('#train');
        await page.waitForFunction(
          () => (window as unknown as FarziWindow).farzi.status === 'trained',
          {
            timeout: 120_000,
          },
        );
        const state = await page.evaluate(() => (window as unknown as FarziWindow).farzi);
        // Stated tolerance: the same wasm kernels in both; equal to 1e-5 relative per epoch loss.
        expect(state.losses).toHaveLength(6);
        state.losses.forEach((loss: number, i: number) =>
          expect(Math.abs(loss - node.losses[i])).toBeLessThan(1e-5 * Math.abs(node.losses[i])),
        );
        for (const k of ['HR@10', 'NDCG@10'])
          expect(Math.abs(state.metrics[k] - nodeMetrics[k])).toBeLessThan(1e-6);
        expect(await text(page, '#eval-result')).toContain('12 held-out users');

        // A history picked from titles, as a person would: the page recommends what Node does.
        for (const id of history) {
          await page.type('#item', `Film ${id} (${id})`);
          await page.click('#add button');
        }
        await page.waitForFunction(
          () => (window as unknown as FarziWindow).farzi.recommendations?.length === 10,
        );
        const recommended = await page.evaluate(() =>
          ((window as unknown as FarziWindow).farzi.recommendations ?? []).map(
            (r: { item: string }) => r.item,
          ),
        );
        expect(recommended).toEqual(nodeTop);
        for (const id of history) expect(recommended).not.toContain(id);
        expect(await text(page, '#recommendations')).toContain(
          `Film ${nodeTop[0]} (${nodeTop[0]})`,
        );

        // The download is an export that `farzi recommend --export` reads, with the same items.
        const downloads = path.join(dir, 'downloads');
        fs.mkdirSync(downloads, { recursive: true });
        const cdp = await page.createCDPSession();
        await cdp.send('Browser.setDownloadBehavior', {
          behavior: 'allow',
          downloadPath: downloads,
        });
        await page.click('#download');
        const zip = path.join(downloads, 'sasrec-export.zip');
        await waitFor(() => (fs.existsSync(zip) && fs.statSync(zip).size > 0) || undefined);
        const back = await run(
          'recommend',
          '--export',
          zip,
          '--history',
          history.join(' '),
          '--json',
        );
        expect(back.code).toBe(0);
        expect(JSON.parse(back.out).items.map((i: { item: string }) => i.item)).toEqual(nodeTop);

        // A damaged file dropped onto the page gets the reader's message, not a stack trace.
        const damaged = path.join(dir, 'damaged.safetensors');
        fs.writeFileSync(damaged, 'not safetensors');
        const input = await page.$('#file');
        await (input as unknown as { uploadFile(f: string): Promise<void> }).uploadFile(damaged);
        await page.waitForFunction(() => document.querySelector('#error')?.textContent !== '');
        expect(await text(page, '#error')).toContain(
          'damaged.safetensors is not a valid safetensors file',
        );

        // The default backend (WebGPU, else WebGL, else wasm) trains the same data.
        await page.goto(url);
        await page.waitForFunction(
          () => (window as unknown as FarziWindow).farzi?.status === 'ready',
          {
            timeout: 60_000,
          },
        );
        await page.click('#train');
        await page.waitForFunction(
          () => (window as unknown as FarziWindow).farzi.status === 'trained',
          {
            timeout: 120_000,
          },
        );
        const auto = await page.evaluate(() => (window as unknown as FarziWindow).farzi);
        expect(['webgpu', 'webgl', 'wasm']).toContain(auto.backend.name);
        auto.losses.forEach((loss: number, i: number) =>
          expect(Math.abs(loss - node.losses[i])).toBeLessThan(1e-3 * Math.abs(node.losses[i])),
        );
        // GRU4Rec, chosen on the page, trains on the same data and is scored the same way.
        await page.select('#model', 'gru4rec');
        await page.$eval('#epochs', (e) => ((e as HTMLInputElement).value = '2'));
        await page.click('#train');
        await page.waitForFunction(
          () =>
            (window as unknown as FarziWindow).farzi.status === 'trained' &&
            (window as unknown as FarziWindow).farzi.losses.length === 2,
          { timeout: 120_000 },
        );
        const gru = await page.evaluate(() => (window as unknown as FarziWindow).farzi);
        expect(gru.losses.every(Number.isFinite)).toBe(true);
        expect(await text(page, '#progress-text')).toContain('trained gru4rec for 2 epochs');
        expect(gru.metrics['NDCG@10']).toBeGreaterThanOrEqual(0);
        expect(errors).toEqual([]);
        tf.dispose([data.latent, data.decoder, ...Object.values(node.params)]);
      } finally {
        await browser?.close();
        process.emit('SIGTERM');
        expect(await served).toBe(0);
      }
    },
    300_000,
  );
});

async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (e) => e.textContent ?? '');
}

async function waitFor<T>(probe: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the page mirrors on `window.farzi`. */
interface FarziWindow {
  farzi: {
    status: string;
    backend: { name: string };
    losses: number[];
    metrics: Record<string, number>;
    recommendations?: { item: string }[];
  };
}
