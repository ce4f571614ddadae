import * as fs from 'fs';
import * as path from 'path';
import { cliWorkspace, run } from './testing/cliHarness';

// Sweeps in the embedded mode: trials in local worker processes (`farzi train` children, so the
// compiled app is needed: `npm run build`, which `npm ci` runs).
const workspace = cliWorkspace('farzi-sweep-');
const { dir } = workspace;
afterAll(() => workspace.cleanup());

workspace.writeConfig(
  'base.json',
  { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 },
  {
    train: { epochs: 2, batchSize: 16, learningRate: 0.01 },
  },
);

function sweepFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('farzi sweep (local workers)', () => {
  const file = sweepFile(
    'sweep.yaml',
    [
      'base: base.json',
      'grid:',
      '  train.learningRate: [0.003, 0.03]',
      '  model:',
      '    - { name: sasrec, hiddenSize: 8, blocks: 1, heads: 1 }',
      '    - { name: gru4rec, hiddenSize: 8 }',
      'list:',
      '  - seed: 1',
      '  - { seed: 2, train.source: { name: random-sample, users: 10, length: 5 } }',
      '',
    ].join('\n'),
  );
  const out = path.join(dir, 'sweep-out');

  it('runs every combination in 2 workers, writes sweep.csv / sweep.json and picks the best on validation', async () => {
    const r = await run('sweep', '--config', file, '--out', out, '--workers', '2');
    expect(r.err).not.toContain('FAILED');
    expect(r.code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(summary.counts).toEqual({ trials: 8, done: 8, failed: 0 });
    expect(summary.keys).toEqual(['seed', 'train.learningRate', 'model', 'train.source']);
    const ids = summary.trials.map((t: { id: string }) => t.id);
    expect(new Set(ids).size).toBe(8);
    const valid = summary.trials.map((t: { valid: Record<string, number> }) => t.valid['NDCG@10']);
    expect(summary.best.valid).toBe(Math.max(...valid));
    expect(summary.metric).toBe('NDCG@10');
    // Each trial is a run directory that `farzi train` wrote, with the trial's settings applied.
    const gru = summary.trials.find(
      (t: { settings: { model: { name: string } } }) => t.settings.model.name === 'gru4rec',
    );
    const config = JSON.parse(fs.readFileSync(path.join(gru.runDir, 'config.json'), 'utf8'));
    expect(config.model.name).toBe('gru4rec');
    expect(config.train.learningRate).toBe(gru.settings['train.learningRate']);
    const csv = fs.readFileSync(path.join(out, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(9);
    expect(csv[0]).toMatch(/^id,status,seed,train\.learningRate,model,train\.source,valid\/HR@5,/);
    expect(r.out).toContain('best (valid)');
    expect(r.err).toMatch(/sweep: 8\/8 done, 0 running, 0 failed/);
  });

  it('skips the trials already done when run again, and the report shows the sweep', async () => {
    const before = fs.readFileSync(path.join(out, 'sweep.json'), 'utf8');
    const r = await run('sweep', '--config', file, '--out', out, '--workers', '2');
    expect(r.code).toBe(0);
    expect(r.err).toContain('8 of 8 trials already done, skipped');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8')).trials).toEqual(
      JSON.parse(before).trials,
    );
    const report = path.join(dir, 'sweep-report.html');
    const rep = await run('report', '--sweep', out, '--out', report);
    expect(rep.err).toBe('');
    expect(rep.code).toBe(0);
    const html = fs.readFileSync(report, 'utf8');
    expect(html).toContain('train.learningRate');
    expect(html).toContain('<svg');
    expect(html.match(/<tr class="trial/g)).toHaveLength(8);
  });

  it('keeps going when a trial fails, and records its error', async () => {
    const bad = sweepFile(
      'failing.yaml',
      'base: base.json\nlist:\n  - seed: 1\n  - { seed: 2, train.learningRate: 1e30 }\n',
    );
    const r = await run(
      'sweep',
      '--config',
      bad,
      '--out',
      path.join(dir, 'failing'),
      '--workers',
      '2',
    );
    expect(r.code).toBe(1);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'failing', 'sweep.json'), 'utf8'));
    expect(summary.counts).toEqual({ trials: 2, done: 1, failed: 1 });
    const failed = summary.trials.find((t: { status: string }) => t.status === 'failed');
    expect(failed.error).toContain('the loss became NaN');
    expect(failed.attempts).toBe(1); // a trial's own error is not retried
  });

  it.each([
    [
      'a grid value that is not a list',
      'base: base.json\ngrid:\n  seed: 3\n',
      /grid\.seed: must be array \(got 3\)/,
    ],
    [
      'an unknown key',
      'base: base.json\ngird:\n  seed: [1]\n',
      /gird: not a sweep setting \(expected base, metric/,
    ],
    ['nothing to sweep', 'base: base.json\n', /neither grid nor list names a setting/],
    ['a missing base', 'base: nope.json\nlist: [{seed: 1}]\n', /nope\.json: no such file/],
    [
      'a trial whose training source reads a missing file',
      'base: base.json\nlist:\n  - { seed: 2, train.source: { name: farzi, path: missing.safetensors } }\n',
      /trial seed=2, train\.source=farzi \(path=missing\.safetensors\): train\.source\.path .*missing\.safetensors: no such file/,
    ],
    [
      'a trial the schema rejects',
      'base: base.json\ngrid:\n  train.learningRate: [0.01, -1]\n',
      /trial train\.learningRate=-1 has a problem:\s+- train\.learningRate: must be a number > 0/,
    ],
  ])('rejects %s with exit 2 before any work', async (_, text, message) => {
    const file2 = sweepFile(`bad-${Math.random()}.yaml`, text);
    const target = path.join(dir, `never-${Math.random()}`);
    const r = await run('sweep', '--config', file2, '--out', target);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('lists the trials with --dry-run', async () => {
    const r = await run('sweep', '--config', file, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('8 trials');
    expect(r.out).toMatch(
      /^[0-9a-f]{12} {2}seed=1, train\.learningRate=0\.003, model=sasrec \(hiddenSize=8 blocks=1 heads=1\)$/m,
    );
  });
});
