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
