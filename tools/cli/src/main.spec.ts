import * as fs from 'fs';
import * as path from 'path';
import { cliWorkspace, run } from './testing/cliHarness';

const workspace = cliWorkspace();
const { dir, dataDir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());

describe('farzi CLI', () => {
  it('lists the commands with --help and rejects an unknown command with exit code 2', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/train\s+train a model/);
    expect(help.out).toMatch(/datasets stats/);
    const unknown = await run('trian');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "trian"');
    expect((await run('datasets')).err).toContain(
      '"datasets" needs a subcommand: datasets stats, datasets list',
    );
  });

  it('lists the one-line-per-user format and the Amazon data sets, and reads both files', async () => {
    const list = await run('datasets', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/user-sequences\s+one line per user/);
    expect(list.out).toMatch(/amazon-beauty\s+format user-sequences/);
    expect(list.out).toMatch(/amazon-sports\s+format user-sequences/);
    expect(list.out).toMatch(/amazon-toys\s+format user-sequences/);
    const shared = [
      process.env.FARZI_DATA_DIR,
      path.resolve(__dirname, '../../../../shared/data'),
    ].find((d) => d && fs.existsSync(path.join(d, 'amazon-beauty', 'Beauty.txt')));
    if (!shared) return; // the data sets are beside the repository in development and CI
    for (const [file, users, items, events] of [
      ['amazon-beauty/Beauty.txt', '22,363', '12,101', '198,502'],
      ['amazon-sports/Sports_and_Outdoors.txt', '35,598', '18,357', '296,337'],
      ['amazon-toys/Toys.txt', '19,412', '11,924', '167,597'],
    ]) {
      const r = await run(
        'datasets',
        'stats',
        '--format',
        'user-sequences',
        '--path',
        path.join(shared, file),
      );
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`users\\s+${users}\\n`));
      expect(r.out).toMatch(new RegExp(`items\\s+${items}\\n`));
      expect(r.out).toMatch(new RegExp(`interactions\\s+${events}\\n`));
    }
  });

  it('prints its version and suggests what an unknown command or flag meant', async () => {
    const version = await run('--version');
    expect(version.code).toBe(0);
    expect(version.out).toMatch(/^farzi \d+\.\d+\.\d+\n$/);
    expect((await run('trian')).err).toContain('Did you mean "train"?');
    const epochs = await run('train', '--config', 'x.json', '--epochs', '3');
    expect(epochs.code).toBe(2);
    expect(epochs.err).toContain("Unknown option '--epochs'");
    expect(epochs.err).toContain('Did you mean --set train.epochs=3?');
    const rate = await run('train', '--learning-rate=0.01');
    expect(rate.err).toContain('Did you mean --set train.learningRate=0.01?');
    const typo = await run('evaluate', '--rnu', 'x');
    expect(typo.err).toContain('Did you mean --run?');
  });

  it("prints a command's help with an example", async () => {
    const r = await run('train', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('npx farzi train --config configs/sasrec-ml100k.json');
  });

  it('prints data set statistics, as text and as JSON', async () => {
    const text = await run('datasets', 'stats', '--format', 'movielens-100k', '--path', dataDir);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/users\s+30\n/);
    const json = await run(
      'datasets',
      'stats',
      '--format',
      'movielens-100k',
      '--path',
      dataDir,
      '--json',
    );
    expect(JSON.parse(json.out)).toMatchObject({ users: 30, interactions: 327 });
  });

  it('reports bad input in one paragraph with exit code 2, never a stack trace', async () => {
    const bad = path.join(dir, 'bad', 'u.data');
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, '1\t2\t3\t4\n1\t2\t3\n');
    const r = await run('datasets', 'stats', '--format', 'movielens-100k', '--path', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/u\.data:2: found 3 columns instead of 4/);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    const unknownFormat = await run(
      'datasets',
      'stats',
      '--format',
      'movielens100k',
      '--path',
      bad,
    );
    expect(unknownFormat.code).toBe(2);
    expect(unknownFormat.err).toContain('Did you mean "movielens-100k"?');
    const missingFlag = await run('datasets', 'stats', '--path', bad);
    expect(missingFlag.err).toContain('--format is required');
    const unknownFlag = await run('datasets', 'stats', '--fromat', 'x');
    expect(unknownFlag.code).toBe(2);
  });

  it('shows the resolved config and reports config errors by path', async () => {
    const file = writeConfig('show.json', { name: 'sasrec' });
    const r = await run('config', 'show', '--config', file, '--set', 'model.hiddenSize=16');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).model).toEqual({
      name: 'sasrec',
      hiddenSize: 16,
      blocks: 2,
      heads: 1,
      dropout: 0.2,
      loss: 'softmax',
      initStd: 0.02,
    });
    const bad = await run(
      'train',
      '--config',
      file,
      '--set',
      'model.hiddenSize=64a',
      '--set',
      'model.name=sasrek',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      'model.name: unknown model "sasrek". Did you mean "sasrec"? Registered models: "gru4rec", "sasrec", "transformer".',
    );
  });

  it('trains SASRec, writes the run directory, refuses to overwrite it, and resumes it', async () => {
    const file = writeConfig('sasrec.json', {
      name: 'sasrec',
      hiddenSize: 8,
      blocks: 1,
      heads: 1,
      dropout: 0.1,
    });
    const out = path.join(dir, 'run-sasrec');
    const r = await run('train', '--config', file, '--set', 'train.epochs=1', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('protocol       full: target vs all 40 items, history masked');
    for (const f of [
      'config.json',
      'data.json',
      'model.json',
      'log.jsonl',
      'metrics.json',
      'checkpoints/last.safetensors',
      'checkpoints/best.safetensors',
    ]) {
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    }
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.test.metrics['NDCG@10']).toBeGreaterThanOrEqual(0);
    expect(metrics.epochsRun).toBe(1);
    expect(r.err).toContain('[sasrec] epoch 1/1');

    const noOut = await run('train', '--config', file, '--resume');
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('farzi train: --resume needs --out <run-dir>');
    const again = await run('train', '--config', file, '--set', 'train.epochs=1', '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toContain('already holds a run; pass --resume');

    const resumed = await run(
      'train',
      '--config',
      file,
      '--set',
      'train.epochs=2',
      '--out',
      out,
      '--resume',
    );
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain('resuming after epoch 1');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).epochsRun).toBe(2);
    // metrics.csv in PyTorch Lightning's CSVLogger layout, resumed epochs included, numbered as the
    // console and metrics.json (epochs from 1) and TensorBoard (steps done).
    const csv = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    const header = csv[0].split(',');
    expect(header.slice(0, 3)).toEqual(['epoch', 'step', 'train_loss']);
    expect(header).toContain('val_NDCG@10');
    expect(header).toEqual([...header].sort());
    const rows = csv.slice(1).map((line) => line.split(','));
    const col = (name: string) => rows.map((r) => r[header.indexOf(name)]);
    expect(col('epoch')).toEqual(['1', '1', '2', '2']);
    expect(col('step')).toEqual(['2', '2', '4', '4']); // 30 users, batch 16: 2 steps per epoch
    expect(col('train_loss').map((v) => v !== '')).toEqual([true, false, true, false]);
    expect(col('val_NDCG@10').map((v) => v !== '')).toEqual([false, true, false, true]);
    // TensorBoard event file: version event + 2 epochs × (train/loss + validation metrics).
    const events = fs.readFileSync(path.join(out, 'tensorboard', 'events.out.tfevents.0.farzi'));
    expect(events.includes(Buffer.from('brain.Event:2'))).toBe(true);
    expect(events.includes(Buffer.from('valid/NDCG@10'))).toBe(true);
  });

  it('trains GRU4Rec by swapping the model in the config', async () => {
    const file = writeConfig('gru.json', { name: 'gru4rec', embeddingSize: 8, hiddenSize: 8 });
    const r = await run(
      'train',
      '--config',
      file,
      '--set',
      'train.epochs=1',
      '--out',
      path.join(dir, 'run-gru'),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).model.name).toBe('gru4rec');
  });

  it('distils Farzi Data from a trained teacher, resumes, and trains GRU4Rec with the printed command', async () => {
    const model = { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1, dropout: 0.1 };
    const distill = {
      method: 'farzi',
      size: [4, 8],
      latentDim: 4,
      init: 'teacher',
      teacher: { fitSteps: 20 },
      innerInit: 'student',
      studentTrajectory: { every: 2, refreshEvery: 2 },
      innerSteps: 2,
      innerLearningRate: 0.003,
      realBatchSize: 16,
      evalEvery: 2,
      student: { epochs: 4, learningRate: 0.003 },
    };
    const file = writeConfig('farzi.json', model, { distill });
    const badPower = await run(
      'distill',
      '--config',
      file,
      '--set',
      'distill.outerPopularityPower=3',
      '--out',
      path.join(dir, 'run-bad-power'),
    );
    expect(badPower.code).toBe(2);
    expect(badPower.err).toContain(
      'distill.outerPopularityPower: must be a number >= 0 and <= 2 (got 3)',
    );
    const teacher = path.join(dir, 'run-teacher');
    expect((await run('train', '--config', file, '--out', teacher)).code).toBe(0);
    const out = path.join(dir, 'run-farzi');
    const first = await run(
      'distill',
      '--config',
      file,
      '--set',
      `distill.teacher.checkpoint=${teacher}`,
      '--set',
      'distill.outerSteps=2',
      '--out',
      out,
    );
    expect(first.code).toBe(0);
    expect(first.err).toContain('teacher sequences fitted into F·M (d 4)');
    const resumed = await run(
      'distill',
      '--config',
      file,
      '--set',
      `distill.teacher.checkpoint=${teacher}`,
      '--set',
      'distill.outerSteps=3',
      '--out',
      out,
      '--resume',
    );
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain('resuming after outer step 2');
    expect(resumed.out).toMatch(/budget\s+\[4×8\] = 32 events/);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.history.filter((h: { outerLoss?: number }) => h.outerLoss).length).toBe(3);
    // The history as a training run's: metrics.csv and TensorBoard scalars, resumed steps included.
    const csv = fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0].split(',').slice(0, 1)).toEqual(['step']);
    expect(csv[0]).toContain('outer_loss');
    expect(csv[0]).toContain('val_NDCG@10');
    expect(csv.filter((l) => /^\d+,/.test(l)).length).toBeGreaterThanOrEqual(3);
    const board = fs.readFileSync(
      path.join(out, 'tensorboard', 'events.out.tfevents.0.farzi-distill'),
    );
    expect(board.includes(Buffer.from('distill/outer_loss'))).toBe(true);

    // The printed command, with GRU4Rec swapped in (cross-architecture), runs as printed.
    const hint = resumed.out.split('\n').find((l) => l.startsWith('train on it'));
    expect(hint).toContain('--set train.batchSize=4 --set train.epochs=300');
    // Shell words: single quotes group (and are removed), as a shell would.
    const args = (hint as string)
      .replace(/^train on it\s+npx farzi /, '')
      .match(/(?:[^\s']+|'[^']*')+/g)
      ?.map((a) => a.replace(/'/g, '')) as string[];
    const gru = writeConfig('farzi-gru.json', { name: 'gru4rec', embeddingSize: 8, hiddenSize: 8 });
    args[args.indexOf('--config') + 1] = gru;
    const student = await run(
      ...args,
      '--set',
      'train.epochs=3',
      '--out',
      path.join(dir, 'run-gru-farzi'),
      '--json',
    );
    expect(student.code).toBe(0);
    const report = JSON.parse(student.out);
    expect(report.model.name).toBe('gru4rec');
    expect(report.source.description).toContain('Farzi Data');
    expect(report.source.sequences).toBe(4);
  });

  it('evaluates a run under both protocols, stating the protocol', async () => {
    const full = await run('evaluate', '--run', path.join(dir, 'run-sasrec'), '--json');
    expect(full.code).toBe(0);
    const parsed = JSON.parse(full.out);
    expect(parsed.protocol).toContain('full: target vs all 40 items');
    expect(parsed.count).toBe(30);
    const sampled = await run(
      'evaluate',
      '--run',
      path.join(dir, 'run-sasrec'),
      '--protocol',
      'sampled',
      '--negatives',
      '10',
    );
    expect(sampled.code).toBe(0);
    expect(sampled.out).toContain('sampled: target vs 10 uniform negatives');
    const bad = await run('evaluate', '--run', path.join(dir, 'nothing-here'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not a run directory');
  });

  it('analyzes runs side by side per cold-start and popularity bucket, with JSON, Markdown and SVG charts', async () => {
    const out = path.join(dir, 'analysis');
    const r = await run(
      'analyze',
      '--run',
      path.join(dir, 'run-sasrec'),
      '--run',
      path.join(dir, 'run-gru'),
      '--run',
      path.join(dir, 'run-gru-farzi'),
      '--label',
      'sasrec',
      '--label',
      'gru4rec',
      '--label',
      'farzi',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('Relative changes are against **sasrec**');
    const analysis = JSON.parse(fs.readFileSync(path.join(out, 'analysis.json'), 'utf8'));
    expect(analysis.runs.map((x: { label: string }) => x.label)).toEqual([
      'sasrec',
      'gru4rec',
      'farzi',
    ]);
    for (const key of ['users', 'items']) {
      const sizes = analysis.runs[0][key].map((b: { size: number }) => b.size);
      expect(sizes.reduce((a: number, b: number) => a + b, 0)).toBe(30);
    }
    expect(fs.readFileSync(path.join(out, 'users.svg'), 'utf8')).toMatch(
      /^<svg[\s\S]*NDCG@10 by user history length[\s\S]*<\/svg>$/,
    );
    expect(fs.existsSync(path.join(out, 'items.svg'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'mass.svg'), 'utf8')).toMatch(
      /^<svg[\s\S]*Training target mass by item popularity[\s\S]*<\/svg>$/,
    );
    // Both runs trained on the real data: their training targets are the real data's, by bucket.
    const real = analysis.realTraining.shares.map((b: { share: number }) => b.share);
    expect(real.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 10);
    expect(analysis.runs[1].training.shares.map((b: { share: number }) => b.share)).toEqual(real);
    expect(analysis.runs[1].training.events).toBe(analysis.realTraining.events);
    // The Farzi Data [4×8]: 4 × 7 soft targets, their mass spread over more than one item.
    const farzi = analysis.runs[2].training;
    expect(farzi.events).toBe(28);
    const shares = farzi.shares.map((b: { share: number }) => b.share);
    expect(shares.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    expect(farzi.effectiveItems).toBeGreaterThan(1);
    expect(r.out).toMatch(/Training targets by item popularity[\s\S]*\| head \(top 20% items\) \|/);
    const mismatch = await run(
      'analyze',
      '--run',
      path.join(dir, 'run-sasrec'),
      '--label',
      'a',
      '--label',
      'b',
    );
    expect(mismatch.code).toBe(2);
  });

  it('runs the demo end to end (quick settings) and writes a self-contained HTML report', async () => {
    const dataRoot = path.join(dir, 'data');
    fs.mkdirSync(path.join(dataRoot, 'ml-100k'), { recursive: true });
    fs.copyFileSync(path.join(dataDir, 'u.data'), path.join(dataRoot, 'ml-100k', 'u.data'));
    const out = path.join(dir, 'demo');
    const r = await run('demo', '--quick', '--data-dir', dataRoot, '--out', out);
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| full data \| [\d,]+ \| [\d.]+ \| [\d.]+ \| 100% \|/);
    expect(r.out).toMatch(/\| Farzi Data \[4×6\] \| 20 \|/);
    expect(r.out).toContain('| random sample [4×6] |');
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Comparison (test split)</h2>');
    expect(html).toContain('Distillation (farzi): distillation');
    expect(html).toContain('Cold-start users and tail items');
    // Settings and versions per run; events as a share of the data's training events; the loss
    // curves of runs on different data in separate panels.
    expect(html).toContain('<h2>Run settings</h2>');
    expect(html).toMatch(/Node\.js \d+\.\d+\.\d+, TensorFlow\.js \d+\.\d+/);
    expect(html).toMatch(/\(\d+\.\d\d% of [\d,]+\)/);
    expect(html).toContain('Training loss per epoch (one panel per run)');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('says where to put the data when the demo cannot find MovieLens-100K', async () => {
    const saved = process.env.FARZI_DATA_DIR;
    delete process.env.FARZI_DATA_DIR;
    try {
      const r = await run('demo', '--data-dir', path.join(dir, 'empty-data'));
      expect(r.code).toBe(2);
      expect(r.err).toContain('data set movielens-100k was not found');
      expect(r.err).toContain('npx farzi datasets fetch movielens-100k');
    } finally {
      if (saved !== undefined) process.env.FARZI_DATA_DIR = saved;
    }
  });

  it('fetches a data set archive, extracts it and verifies the checksum', async () => {
    const http = await import('http');
    const zip = storedZip({
      'ml-100k/u.data': Buffer.from('1\t2\t3\t4\n'),
      'ml-100k/README': Buffer.from('hi'),
    });
    const server = http.createServer((_req, res) => res.end(zip));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as { port: number }).port;
    process.env.FARZI_FETCH_URL = `http://127.0.0.1:${port}/ml-100k.zip`;
    try {
      const r = await run(
        'datasets',
        'fetch',
        'movielens-100k',
        '--data-dir',
        path.join(dir, 'fetched'),
      );
      // The fixture is not the real u.data: the checksum must reject it and remove the file.
      expect(r.code).toBe(1);
      expect(r.err).toContain('checksum mismatch');
      expect(fs.existsSync(path.join(dir, 'fetched', 'ml-100k', 'u.data'))).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'fetched', 'ml-100k', 'README'), 'utf8')).toBe('hi');
      process.env.FARZI_FETCH_URL = 'http://127.0.0.1:1/unreachable.zip';
      const offline = await run(
        'datasets',
        'fetch',
        'movielens-100k',
        '--data-dir',
        path.join(dir, 'fetched2'),
      );
      expect(offline.code).toBe(1);
      expect(offline.err).toContain('could not download');
    } finally {
      delete process.env.FARZI_FETCH_URL;
      server.close();
    }
  });
});

/** A zip archive with stored (uncompressed) entries. */
function storedZip(files: Record<string, Buffer>): Buffer {
  const zlib = require('zlib');
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = Buffer.from(name);
    const crc = zlib.crc32 ? zlib.crc32(data) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    locals.push(local, n, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
