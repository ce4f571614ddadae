import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkReusable, firstDifference, withoutSections } from './reuse';

// checkReusable drives the built CLI (`farzi config show`), like the benchmark: `npm run build` first.
const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'tools', 'cli', 'bin', 'farzi.js');

describe('firstDifference', () => {
  it('names the first differing field, nested, with both values', () => {
    expect(firstDifference({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } })).toBeUndefined();
    expect(firstDifference({ a: 1, b: { c: 0.5, d: 1 } }, { a: 1, b: { c: 0, d: 1 } })).toEqual({
      path: 'b.c',
      wanted: '0.5',
      had: '0',
    });
    expect(firstDifference({ t: { lr: 1 } }, { t: {} })).toEqual({
      path: 't.lr',
      wanted: '1',
      had: '(not set)',
    });
    expect(firstDifference({ s: [20, 15] }, { s: [50, 20] })).toEqual({
      path: 's.0',
      wanted: '20',
      had: '50',
    });
    expect(firstDifference(1, 2)).toEqual({ path: '(the whole config)', wanted: '1', had: '2' });
  });

  it('leaves out the sections a run does not read', () => {
    const a = { train: { lr: 1 }, distill: { steps: 90 } };
    expect(withoutSections(a, ['distill'])).toEqual({ train: { lr: 1 } });
    expect(withoutSections(a, [])).toBe(a);
    expect(a.distill.steps).toBe(90);
  });
});

describe('checkReusable', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-reuse-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // A distillation config of the kind the students train from (its distill section included).
  const data = path.join(dir, 'toy');
  fs.mkdirSync(data);
  for (const part of ['train', 'valid', 'test'])
    fs.writeFileSync(path.join(data, `toy.${part}.txt`), 'the cat sat on a mat\n');
  const config = path.join(dir, 'distill.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      data: { format: 'text', path: data, maxLength: 8 },
      model: { name: 'transformer', hiddenSize: 8, layers: 1, heads: 2 },
      train: { epochs: 1, learningRate: 0.001 },
      eval: { evaluator: 'language-model', metric: 'perplexity' },
      distill: { method: 'farzi', size: [4, 9], outerSteps: 90 },
    }),
  );

  /** A run directory whose config.json is the shipped config with these overrides, resolved. */
  function runMadeWith(name: string, sets: string[]): string {
    const run = path.join(dir, name);
    fs.mkdirSync(run);
    const args = [cli, 'config', 'show', '--config', config, ...sets.flatMap((s) => ['--set', s])];
    const shown = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(shown.status).toBe(0);
    fs.writeFileSync(path.join(run, 'config.json'), shown.stdout);
    return run;
  }

  it('reuses a run made with the same settings, and names the first field that differs', () => {
    const same = runMadeWith('same', ['train.epochs=3']);
    expect(() => checkReusable(cli, same, config, ['--set', 'train.epochs=3'])).not.toThrow();
    expect(() => checkReusable(cli, same, config, ['--set', 'train.epochs=2'])).toThrow(
      /same was made with other settings than this run would use \(train\.epochs: 3 there, 2 now\)/,
    );
    // Nothing to compare with: a new directory.
    expect(() => checkReusable(cli, path.join(dir, 'new'), config, [])).not.toThrow();
  }, 60_000);

  it("ignores a section the run does not read (a student's distill settings), not the rest", () => {
    const student = runMadeWith('student', ['distill.outerSteps=30']);
    expect(() => checkReusable(cli, student, config, [])).toThrow(
      /\(distill\.outerSteps: 30 there, 90 now\)/,
    );
    expect(() => checkReusable(cli, student, config, [], ['distill'])).not.toThrow();
    expect(() =>
      checkReusable(cli, student, config, ['--set', 'train.learningRate=0.01'], ['distill']),
    ).toThrow(/\(train\.learningRate: 0\.001 there, 0\.01 now\)/);
  }, 60_000);
});
