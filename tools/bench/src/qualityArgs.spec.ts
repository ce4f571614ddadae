import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The built benchmark, as `npm run bench:quality` runs it (the suite builds first).
const script = path.resolve(__dirname, '../dist/quality.js');
const bench = (...args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('bench:quality arguments', () => {
  beforeAll(() => {
    if (!fs.existsSync(script)) throw new Error('build the benchmarks first (npm run build)');
  });

  it('prints its usage with --help', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--datasets ml-100k,beauty,sports');
    expect(r.stdout).toContain('--skip-cross');
  });

  it('names an unknown option and an unknown data set in one paragraph, exit code 2', () => {
    const option = bench('--budget', '50x20');
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("quality: Unknown option '--budget'");
    expect(option.stderr).toContain('--budgets 50x20,20x15');
    expect(option.stderr).not.toMatch(/\n\s+at /);
    const dataset = bench('--datasets', 'beuaty');
    expect(dataset.status).toBe(2);
    expect(dataset.stderr).toContain('quality: --datasets beuaty: known data sets are');
    expect(dataset.stderr).not.toMatch(/\n\s+at /);
    const count = bench('--datasets', 'ml-100k', '--distillations', '0');
    expect(count.status).toBe(2);
    expect(count.stderr).toContain('quality: --distillations 0: expected a whole number ≥ 1');
  });

  it('refuses an unknown method or a --distill-set for a method not run before any training, exit code 2', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-quality-args-'));
    try {
      const method = bench('--datasets', 'ml-100k', '--method', 'td4', '--out', out);
      expect(method.status).toBe(2);
      expect(method.stderr).toContain(
        'quality: --method td4: no distillation config for it on ml-100k',
      );
      expect(method.stderr).not.toMatch(/\n\s+at /);
      const prefix = bench(
        '--datasets',
        'ml-100k',
        '--distill-set',
        'gru4rec:distill.outerSteps=2',
        '--out',
        out,
      );
      expect(prefix.status).toBe(2);
      expect(prefix.stderr).toContain(
        'quality: --distill-set gru4rec:distill.outerSteps=2: "gru4rec" is not a method of this run (--method farzi)',
      );
      expect(prefix.stderr).not.toMatch(/\n\s+at /);
      // Nothing was trained.
      expect(fs.existsSync(path.join(out, 'ml-100k', 'runs'))).toBe(false);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
