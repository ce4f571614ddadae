import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cliWorkspace, run } from './testing/cliHarness';

// What a crashing machine or a hostile user can do to a run (docs/reliability.md): a full disk, a
// second process on the same run directory, kill -9, data that fails to load, unusable --out paths.
const workspace = cliWorkspace('farzi-reliability-');
const { dir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());

const sasrec = { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1, dropout: 0.1 };
const bin = path.resolve(__dirname, '../bin/farzi.js');

function mountTmpfs(kib: number): string | undefined {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-tmpfs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mount]).status !== 0) {
    fs.rmSync(mount, { recursive: true, force: true });
    return undefined;
  }
  return mount;
}

async function waitFor(condition: () => boolean, seconds: number): Promise<boolean> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

describe('reliability: data loss', () => {
  it('a full disk fails the run with exit 1 and keeps the last good checkpoint; freeing space and --resume finishes it', async () => {
    const mount = mountTmpfs(1024);
    if (!mount) {
      console.warn('mount not permitted here; core/io/reliability.spec.ts injects the short write');
      return;
    }
    try {
      const file = writeConfig('full-disk.json', sasrec);
      const out = path.join(mount, 'run');
      const first = await run('train', '--config', file, '--set', 'train.epochs=1', '--out', out);
      expect(first.code).toBe(0);
      const last = path.join(out, 'checkpoints', 'last.safetensors');
      const good = fs.readFileSync(last);
      // Fill the disk so that less than one more checkpoint fits.
      const free = Number(
        spawnSync('df', ['--output=avail', '-B1', mount]).stdout.toString().split('\n')[1],
      );
      fs.writeFileSync(
        path.join(mount, 'filler'),
        Buffer.alloc(Math.max(0, free - good.length / 2)),
      );
      const full = await run(
        'train',
        '--config',
        file,
        '--set',
        'train.epochs=3',
        '--out',
        out,
        '--resume',
      );
      expect(full.code).toBe(1);
      expect(full.err).toMatch(/no space left on device/);
      expect(full.err).not.toMatch(/internal error|\n\s+at /);
      expect(fs.readFileSync(last).equals(good)).toBe(true);
      expect(
        fs.readdirSync(path.join(out, 'checkpoints')).filter((n) => n.endsWith('.tmp')),
      ).toEqual([]);
      fs.rmSync(path.join(mount, 'filler'));
      const resumed = await run(
        'train',
        '--config',
        file,
        '--set',
        'train.epochs=3',
        '--out',
        out,
        '--resume',
      );
      expect(resumed.code).toBe(0);
      expect(resumed.err).toContain('resuming after epoch 1');
      const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
      expect(metrics.epochsRun).toBe(3);
    } finally {
      spawnSync('umount', [mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });

  it('a second process on the same run directory is refused while the first trains; after kill -9 the run resumes', async () => {
    if (!fs.existsSync(path.resolve(__dirname, '../dist/main.js')))
      throw new Error('build the CLI first (npm run build)');
    const file = writeConfig('busy.json', sasrec);
    const out = path.join(dir, 'busy-run');
    const first = spawn(
      process.execPath,
      [bin, 'train', '--config', file, '--set', 'train.epochs=100000', '--out', out],
      {
        stdio: 'ignore',
      },
    );
    try {
      expect(
        await waitFor(() => fs.existsSync(path.join(out, 'checkpoints', 'last.safetensors')), 60),
      ).toBe(true);
      const second = await run(
        'train',
        '--config',
        file,
        '--set',
        'train.epochs=100000',
        '--out',
        out,
        '--resume',
      );
      expect(second.code).toBe(2);
      expect(second.err).toContain(`is in use by process ${first.pid}`);
      const distill = await run(
        'distill',
        '--config',
        file,
        '--set',
        'distill.method=farzi',
        '--set',
        'distill.size=[2,6]',
        '--out',
        out,
        '--resume',
      );
      expect(distill.code).toBe(2);
      expect(distill.err).toContain(`is in use by process ${first.pid}`);
    } finally {
      first.kill('SIGKILL');
    }
    await new Promise((r) => first.once('exit', r));
    // kill -9 left the lock (and maybe a temporary file): both are stale and cleaned up.
    expect(fs.existsSync(path.join(out, '.lock'))).toBe(true);
    const resumed = await run(
      'train',
      '--config',
      file,
      '--set',
      'train.epochs=1',
      '--out',
      out,
      '--resume',
    );
    expect(resumed.code).toBe(0);
    expect(fs.existsSync(path.join(out, '.lock'))).toBe(false);
    const leftovers = [out, path.join(out, 'checkpoints')]
      .flatMap((d) => fs.readdirSync(d))
      .filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('data that fails to load leaves no run directory; a run killed before its first checkpoint resumes from scratch', async () => {
    const bad = path.join(dir, 'bad', 'u.data');
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, '1\t2\t3\t4\nnot a line\n');
    const file = writeConfig('bad-data.json', sasrec, {
      data: { format: 'movielens-100k', path: path.dirname(bad), maxLength: 10 },
    });
    const out = path.join(dir, 'never-created');
    const r = await run('train', '--config', file, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain(bad);
    expect(fs.existsSync(out)).toBe(false);

    // What a kill before the first checkpoint leaves: the config and nothing to resume from.
    const good = writeConfig('early-kill.json', sasrec);
    const killed = path.join(dir, 'killed-early');
    const started = await run(
      'train',
      '--config',
      good,
      '--set',
      'train.epochs=1',
      '--out',
      killed,
    );
    expect(started.code).toBe(0);
    fs.rmSync(path.join(killed, 'checkpoints'), { recursive: true });
    fs.rmSync(path.join(killed, 'metrics.json'));
    const resumed = await run(
      'train',
      '--config',
      good,
      '--set',
      'train.epochs=1',
      '--out',
      killed,
      '--resume',
    );
    expect(resumed.code).toBe(0);
    expect(resumed.err).toContain('holds no checkpoint yet; starting from scratch');
  });
});

describe('reliability: unusable output paths and damaged run files', () => {
  it('refuses --out under /proc at once (exit 2), and --out that is a file or lies under one', async () => {
    const file = writeConfig('paths.json', sasrec);
    const started = Date.now();
    const proc = await run('train', '--config', file, '--out', '/proc/foo');
    expect(proc.code).toBe(2);
    expect(proc.err).toContain('cannot create /proc/foo');
    expect(Date.now() - started).toBeLessThan(20_000);
    const plain = path.join(dir, 'plain-file');
    fs.writeFileSync(plain, 'x');
    for (const command of ['train', 'distill']) {
      const isFile = await run(command, '--config', file, '--out', plain);
      expect(isFile.code).toBe(2);
      expect(isFile.err).toContain(`--out ${plain} is a file, not a folder`);
      const under = await run(command, '--config', file, '--out', path.join(plain, 'run'));
      expect(under.code).toBe(2);
      expect(under.err).toContain('which is a file');
    }
  });
});

describe('reliability: hostile input gets exit 2 and one clean paragraph', () => {
  const clean = (r: { code: number; err: string }) => {
    expect(r.err).not.toMatch(/internal error|\n\s+at |RuntimeError/);
    expect(r.err.length).toBeLessThan(2000);
  };

  it('a file without newlines (/dev/zero) is refused at a line-length cap, quickly', async () => {
    const started = Date.now();
    const r = await run('datasets', 'stats', '--format', 'movielens-100k', '--path', '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.err).toContain('/dev/zero:1: a line longer than 16,777,216 characters');
    expect(Date.now() - started).toBeLessThan(30_000);
    clean(r);
  });

  it('report --out that is a folder, analyze --out that is a file, and a read-only --out', async () => {
    const file = writeConfig('outputs.json', sasrec);
    const trained = path.join(dir, 'outputs-run');
    expect(
      (await run('train', '--config', file, '--set', 'train.epochs=1', '--out', trained)).code,
    ).toBe(0);
    const folder = path.join(dir, 'a-folder');
    fs.mkdirSync(folder);
    const report = await run('report', '--run', trained, '--out', folder);
    expect(report.code).toBe(2);
    expect(report.err).toContain(`--out ${folder} is a folder`);
    expect(fs.readdirSync(folder)).toEqual([]); // no .tmp left behind
    clean(report);
    const plain = path.join(dir, 'analysis-file');
    fs.writeFileSync(plain, 'x');
    const analyze = await run('analyze', '--run', trained, '--out', plain);
    expect(analyze.code).toBe(2);
    expect(analyze.err).toContain('is a file, not a folder');
    const ro = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-ro-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]).status === 0) {
      try {
        const readOnly = await run('train', '--config', file, '--out', path.join(ro, 'run'));
        expect(readOnly.code).toBe(2);
        expect(readOnly.err).toMatch(/cannot (create|lock)|read-only|not writable/);
        clean(readOnly);
      } finally {
        spawnSync('umount', [ro]);
      }
    }
    fs.rmSync(ro, { recursive: true, force: true });
  });

  it('damaged run files and a checkpoint of another model are named', async () => {
    const file = writeConfig('damaged.json', sasrec);
    const damaged = path.join(dir, 'damaged-run');
    expect(
      (await run('train', '--config', file, '--set', 'train.epochs=1', '--out', damaged)).code,
    ).toBe(0);
    const gru = writeConfig('damaged-gru.json', {
      name: 'gru4rec',
      embeddingSize: 8,
      hiddenSize: 8,
    });
    const gruRun = path.join(dir, 'damaged-gru');
    expect(
      (await run('train', '--config', gru, '--set', 'train.epochs=1', '--out', gruRun)).code,
    ).toBe(0);

    // Another model's checkpoint copied in.
    const best = path.join(damaged, 'checkpoints', 'best.safetensors');
    const saved = fs.readFileSync(best);
    fs.copyFileSync(path.join(gruRun, 'checkpoints', 'best.safetensors'), best);
    const other = await run('evaluate', '--run', damaged);
    expect(other.code).toBe(2);
    expect(other.err).toContain('holds a gru4rec checkpoint');
    expect(other.err).toContain('does not fit the sasrec model');
    clean(other);
    fs.writeFileSync(best, saved);

    // metrics.json and config.json that are not JSON.
    fs.writeFileSync(path.join(damaged, 'metrics.json'), '{"test": ');
    const report = await run('report', '--run', damaged, '--out', path.join(dir, 'r.html'));
    expect(report.code).toBe(2);
    expect(report.err).toContain(`${path.join(damaged, 'metrics.json')} is not valid JSON`);
    fs.writeFileSync(path.join(damaged, 'config.json'), '{"seed": 3,');
    for (const argv of [
      ['evaluate', '--run', damaged],
      ['train', '--config', file, '--set', 'train.epochs=2', '--out', damaged, '--resume'],
    ]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${path.join(damaged, 'config.json')} is not valid JSON`);
      clean(r);
    }
  });

  it('impossible settings are refused before any work: negatives, maxLength, Infinity, an unreported metric, heads', async () => {
    const file = writeConfig('settings.json', sasrec);
    const out = path.join(dir, 'never');
    const cases: [string[], RegExp][] = [
      [
        ['--set', 'eval.protocol="sampled"', '--set', 'eval.negatives=100000'],
        /eval\.negatives: 100000 negatives cannot be drawn/,
      ],
      [
        ['--set', 'data.maxLength=100000'],
        /data\.maxLength: must be an integer >= 1 and <= 4096 \(got 100000\)/,
      ],
      [
        ['--set', 'train.learningRate=1e999'],
        /train\.learningRate: must be a finite number \(got Infinity\)/,
      ],
      [
        ['--set', 'eval.metric="NDCG@11"'],
        /eval\.metric: "NDCG@11" is not a metric the ranking evaluator reports/,
      ],
      [
        ['--set', 'model.hiddenSize=9', '--set', 'model.heads=2'],
        /model\.heads: 2 heads do not divide model\.hiddenSize 9/,
      ],
    ];
    for (const [sets, message] of cases) {
      const r = await run('train', '--config', file, ...sets, '--out', out);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toContain('epoch 1'); // nothing trained
      clean(r);
      expect(fs.existsSync(out)).toBe(false);
    }
    const show = await run(
      'config',
      'show',
      '--config',
      file,
      '--set',
      'model.hiddenSize=9',
      '--set',
      'model.heads=2',
    );
    expect(show.code).toBe(2);
    expect(show.err).toContain('heads do not divide');
    const folder = await run('train', '--config', dir);
    expect(folder.code).toBe(2);
    expect(folder.err).toContain(`--config ${dir} is a folder`);

    const trained = path.join(dir, 'negatives-run');
    expect(
      (await run('train', '--config', file, '--set', 'train.epochs=1', '--out', trained)).code,
    ).toBe(0);
    const sampled = await run(
      'evaluate',
      '--run',
      trained,
      '--protocol',
      'sampled',
      '--negatives',
      '100000',
    );
    expect(sampled.code).toBe(2);
    expect(sampled.err).toContain('eval.negatives: 100000 negatives cannot be drawn');
    clean(sampled);
  });

  it('hostile bytes in data files: long fields are cut, control bytes escaped, invalid UTF-8 named', async () => {
    const write = (name: string, content: string | Buffer) => {
      const f = path.join(dir, 'hostile', name);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, content);
      return f;
    };
    const stats = (format: string, file: string, ...more: string[]) =>
      run('datasets', 'stats', '--format', format, '--path', file, ...more);
    const huge = await stats(
      'movielens-100k',
      write('u.data', `1\t${'9'.repeat(10_000_000)}x\t3\t4\n`),
    );
    expect(huge.code).toBe(2);
    expect(huge.err.length).toBeLessThan(1000);
    const esc = await stats('movielens-100k', write('esc.data', `1\t2\t3\t\x1b[2J\n`));
    expect(esc.code).toBe(2);
    expect(esc.err).not.toContain('\x1b');
    expect(esc.err).toContain('\\u001b[2J');
    const binary = await stats('presequenced', '/bin/ls');
    expect(binary.code).toBe(2);
    expect(binary.err).not.toContain('\x00');
    clean(binary);
    const utf8 = await stats(
      'user-sequences',
      write(
        'latin1.txt',
        Buffer.concat([Buffer.from('1 2 3\ncaf'), Buffer.from([0xe9]), Buffer.from(' 4 5\n')]),
      ),
    );
    expect(utf8.code).toBe(2);
    expect(utf8.err).toMatch(/latin1\.txt:2: bytes that are not valid UTF-8/);
    const spaces = await stats('presequenced', write('spaces.txt', '1 2  \n1 3\t\n 2 4\n'));
    expect(spaces.code).toBe(0);
  });

  it('a resumed run reports the training time of the whole run', async () => {
    const file = writeConfig('time.json', sasrec);
    const out = path.join(dir, 'time-run');
    expect(
      (await run('train', '--config', file, '--set', 'train.epochs=2', '--out', out)).code,
    ).toBe(0);
    const first = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).trainSeconds;
    expect(
      (await run('train', '--config', file, '--set', 'train.epochs=3', '--out', out, '--resume'))
        .code,
    ).toBe(0);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.trainSeconds).toBeGreaterThan(first);
  });
});
