import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSafetensors, writeSafetensors } from '@farzi/core';
import { cliWorkspace, run } from './testing/cliHarness';

// The second hostile sweep's cases outside the queue (issue 33; docs/security.md): run directories
// made by others, configs that are not configs, prototype keys, closed pipes, sweeps, and runs that
// fail early or hold damaged files.
const workspace = cliWorkspace('farzi-security-');
const { dir, writeConfig } = workspace;
afterAll(() => workspace.cleanup());
const bin = path.resolve(__dirname, '../bin/farzi.js');
const sasrec = { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 };
const marker = path.join(dir, 'PLUGIN-RAN');

/** A finished tiny run (trained once, copied by the tests that damage it). */
let trained = '';
beforeAll(async () => {
  const config = writeConfig('base.json', sasrec, {
    train: { epochs: 2, batchSize: 16, learningRate: 0.01 },
  });
  trained = path.join(dir, 'trained');
  const r = await run('train', '--config', config, '--out', trained);
  expect(r.code).toBe(0);
}, 120_000);

function copyRun(name: string): string {
  const to = path.join(dir, name);
  fs.cpSync(trained, to, { recursive: true });
  return to;
}

describe('a run directory made by someone else runs no code', () => {
  it('refuses the plugin its config.json names (even a relative path in it) unless trusted', async () => {
    const other = copyRun('others-run');
    fs.writeFileSync(
      path.join(other, 'evil.js'),
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'pwned');\n`,
    );
    const config = JSON.parse(fs.readFileSync(path.join(other, 'config.json'), 'utf8'));
    fs.writeFileSync(
      path.join(other, 'config.json'),
      JSON.stringify({ ...config, plugins: ['./evil.js'] }),
    );
    const analysis = path.join(dir, 'analysis');
    for (const args of [
      ['evaluate', '--run', other],
      ['recommend', '--run', other, '--user', '3'],
      ['analyze', '--run', other, '--out', analysis],
      ['report', '--run', other, '--out', path.join(dir, 'r.html')],
      ['export', '--run', other, '--out', path.join(dir, 'export-evil')],
      ['config', 'show', '--config', path.join(other, 'config.json')],
    ]) {
      const r = await run(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toContain('names the plugin "./evil.js"');
      expect(r.err).toContain(`--plugin ${path.join(other, 'evil.js')} (or --trust-plugins)`);
      expect(fs.existsSync(marker)).toBe(false);
    }
    // Trusted on purpose, it is loaded (and then found not to be a plugin).
    const trusted = await run('evaluate', '--run', other, '--trust-plugins');
    expect(trusted.err).toContain('exports no plugin module');
    expect(fs.existsSync(marker)).toBe(true);
  }, 120_000);
});

describe('files that are not configs, and prototype keys', () => {
  it('refuses a binary, a device and an oversized file without reading them whole', async () => {
    const binary = path.join(dir, 'ls.json');
    fs.writeFileSync(
      binary,
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x1b, 0x5b, 0x32, 0x4a]),
    );
    const huge = path.join(dir, 'huge.json');
    fs.writeFileSync(huge, `{"seed": 1, "x": "${'a'.repeat(2 << 20)}"}`);
    for (const [file, message] of [
      [binary, 'is not a text file'],
      ['/dev/zero', 'is not a regular file'],
      [huge, 'a config is a JSON or YAML file of at most'],
    ]) {
      const started = Date.now();
      const r = await run('config', 'show', '--config', file);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it('refuses __proto__, constructor and prototype in overrides, config files and sweeps', async () => {
    const base = path.join(dir, 'base.json');
    for (const set of [
      '__proto__.polluted=1',
      '__proto__={"x":1}',
      'model={"constructor":{"prototype":{"x":1}}}',
    ]) {
      const r = await run('config', 'show', '--config', base, '--set', set);
      expect(r.code).toBe(2);
      expect(r.err).toContain('are not settings');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    const file = path.join(dir, 'proto.json');
    fs.writeFileSync(file, '{"seed": 1, "model": {"__proto__": {"polluted": 1}}}');
    const r = await run('config', 'show', '--config', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'model.__proto__: __proto__, constructor and prototype are not settings',
    );
    const sweep = path.join(dir, 'proto.yaml');
    fs.writeFileSync(sweep, 'base: base.json\nset:\n  __proto__.polluted: 1\ngrid:\n  seed: [1]\n');
    const s = await run('sweep', '--config', sweep, '--dry-run');
    expect(s.code).toBe(2);
    expect(s.err).toContain('are not settings');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('exits quietly when the reader of its output goes away (| head -1)', async () => {
    const child = spawn(process.execPath, [bin, 'config', 'schema'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('sweeps checked before they run', () => {
  it('refuses a metric no trial reports, and a grid larger than --max-trials (counted, not built)', async () => {
    const metric = path.join(dir, 'metric.yaml');
    fs.writeFileSync(metric, 'base: base.json\nmetric: NDCG@11\ngrid:\n  seed: [1, 2]\n');
    const m = await run('sweep', '--config', metric, '--dry-run');
    expect(m.code).toBe(2);
    expect(m.err).toContain('metric "NDCG@11" is not one the ranking evaluator reports');
    const values = Array.from({ length: 1000 }, (_, i) => i).join(', ');
    const big = path.join(dir, 'big.yaml');
    fs.writeFileSync(
      big,
      `base: base.json\ngrid:\n  seed: [${values}]\n  train.learningRate: [${values}]\n  train.batchSize: [${values}]\n`,
    );
    const started = Date.now();
    const g = await run('sweep', '--config', big, '--dry-run');
    expect(g.code).toBe(2);
    expect(g.err).toContain('make 1,000,000,000 trials, more than --max-trials 10000');
    expect(Date.now() - started).toBeLessThan(5000);
    const small = path.join(dir, 'small.yaml');
    fs.writeFileSync(small, 'base: base.json\ngrid:\n  seed: [1, 2, 3]\n');
    const limited = await run('sweep', '--config', small, '--dry-run', '--max-trials', '2');
    expect(limited.code).toBe(2);
    expect(limited.err).toContain('make 3 trials, more than --max-trials 2');
  });

  it('refuses a second sweep on the same folder, and never takes another host’s trial lock', async () => {
    const sweep = path.join(dir, 'locked.yaml');
    fs.writeFileSync(sweep, 'base: base.json\ngrid:\n  seed: [7]\n');
    const out = path.join(dir, 'locked');
    fs.mkdirSync(out);
    // A live sweep process on this folder (this test process stands in for it).
    fs.writeFileSync(
      path.join(out, '.lock'),
      JSON.stringify({
        pid: process.pid,
        host: os.hostname(),
        started: 'now',
        command: 'farzi sweep',
      }),
    );
    const second = await run('sweep', '--config', sweep, '--out', out, '--workers', '1');
    expect(second.code).toBe(2);
    expect(second.err).toContain(`${out} is in use by process ${process.pid}`);
    fs.rmSync(path.join(out, '.lock'));
    // Another machine's worker holds the trial's run directory: the local sweep leaves its lock.
    const plan = await run('sweep', '--config', sweep, '--dry-run');
    const id = plan.out.split(/\s+/)[0];
    const trialDir = path.join(out, 'trials', id);
    fs.mkdirSync(trialDir, { recursive: true });
    const foreign = JSON.stringify({
      pid: 1,
      host: 'another-machine',
      started: 'now',
      command: 'farzi train',
    });
    fs.writeFileSync(path.join(trialDir, '.lock'), foreign);
    const r = await run('sweep', '--config', sweep, '--out', out, '--workers', '1');
    expect(r.code).toBe(1);
    expect(fs.readFileSync(path.join(trialDir, '.lock'), 'utf8')).toBe(foreign);
    expect(
      JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8')).trials[0].error,
    ).toContain('in use by process 1 on another-machine');
  }, 120_000);
});

describe('runs that fail early, and damaged files', () => {
  const base = () => path.join(dir, 'base.json');

  it('a run that failed before its first checkpoint can be started again, with another config', async () => {
    const out = path.join(dir, 'diverged');
    const first = await run(
      'train',
      '--config',
      base(),
      '--set',
      'train.learningRate=1e30',
      '--out',
      out,
    );
    expect(first.code).toBe(1);
    const again = await run('train', '--config', base(), '--out', out);
    expect(again.err).not.toContain('already holds a run');
    expect(again.code).toBe(0);
    const resumed = await run(
      'train',
      '--config',
      base(),
      '--set',
      'train.epochs=1',
      '--out',
      path.join(dir, 'diverged2'),
      '--set',
      'train.learningRate=1e30',
    );
    expect(resumed.code).toBe(1);
    const fixed = await run(
      'train',
      '--config',
      base(),
      '--out',
      path.join(dir, 'diverged2'),
      '--resume',
    );
    expect(fixed.code).toBe(0);
  }, 120_000);

  it('a distillation refused for its teacher (missing, another model) can be started again', async () => {
    const distill = {
      method: 'farzi',
      size: [2, 6],
      latentDim: 2,
      innerSteps: 1,
      outerSteps: 1,
      evalEvery: 0,
      realBatchSize: 4,
      innerInit: 'random',
      student: { epochs: 1 },
    };
    const file = writeConfig('distill.json', sasrec, { distill });
    const out = path.join(dir, 'distill-teacher');
    const gru = path.join(dir, 'gru-teacher');
    const g = await run(
      'train',
      '--config',
      path.join(dir, 'base.json'),
      '--set',
      'model={"name":"gru4rec","hiddenSize":8}',
      '--set',
      'train.epochs=1',
      '--out',
      gru,
    );
    expect(g.code).toBe(0);
    for (const teacher of [path.join(dir, 'no-such-teacher'), gru]) {
      const r = await run(
        'distill',
        '--config',
        file,
        '--set',
        'distill.init=teacher',
        '--set',
        `distill.teacher.checkpoint=${teacher}`,
        '--out',
        out,
      );
      expect(r.code).toBe(2);
      expect(r.err).not.toContain('already holds a run');
    }
    const fixed = await run('distill', '--config', file, '--out', out);
    expect(fixed.err).not.toContain('already holds a run');
    expect(fixed.code).toBe(0);
  }, 120_000);

  it('--resume over another model’s checkpoint, a lock that is a folder', async () => {
    const other = path.join(dir, 'gru');
    const g = await run(
      'train',
      '--config',
      base(),
      '--set',
      'model={"name":"gru4rec","hiddenSize":8}',
      '--out',
      other,
    );
    expect(g.code).toBe(0);
    const mixed = copyRun('mixed');
    fs.copyFileSync(
      path.join(other, 'checkpoints', 'last.safetensors'),
      path.join(mixed, 'checkpoints', 'last.safetensors'),
    );
    const r = await run(
      'train',
      '--config',
      base(),
      '--out',
      mixed,
      '--resume',
      '--set',
      'train.epochs=4',
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('holds a gru4rec checkpoint');
    expect(r.err).not.toContain('internal error');
    const locked = copyRun('lock-folder');
    fs.mkdirSync(path.join(locked, '.lock'));
    const l = await run('train', '--config', base(), '--out', locked, '--resume');
    expect(l.code).toBe(2);
    expect(l.err).toContain('.lock is a folder, not a lock file');
  }, 120_000);

  it('a checkpoint of NaN parameters is reported as damaged by evaluate and recommend', async () => {
    const nan = copyRun('nan');
    for (const name of ['best', 'last']) {
      const file = path.join(nan, 'checkpoints', `${name}.safetensors`);
      const content = readSafetensors(file);
      const first = Object.keys(content.tensors)[0];
      (content.tensors[first].values as Float32Array).fill(NaN);
      writeSafetensors(file, content);
    }
    for (const args of [
      ['evaluate', '--run', nan],
      ['recommend', '--run', nan, '--user', '3'],
    ]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('checkpoint is damaged: parameter');
      expect(r.out).toBe('');
    }
  });

  it('recommend says when nothing is left; export refuses a folder that is not an export', async () => {
    const every = Array.from({ length: 40 }, (_, i) => String(i + 1)).join(' ');
    const r = await run('recommend', '--run', trained, '--history', every);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'nothing left to recommend: the history holds every one of the 40 items',
    );
    const victim = copyRun('victim');
    const before = fs.readFileSync(path.join(victim, 'config.json'), 'utf8');
    const e = await run('export', '--run', trained, '--out', victim);
    expect(e.code).toBe(2);
    expect(e.err).toContain('is not empty');
    expect(fs.readFileSync(path.join(victim, 'config.json'), 'utf8')).toBe(before);
  });
});
