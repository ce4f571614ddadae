import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { DatasetQualityResults } from './datasetQuality';
import { LEVERS, leverLine, pairedValid, runLevers } from './levers';
import { toyConfigs, toyCorpus } from './toyBench.fixture';

const script = path.resolve(__dirname, '../dist/levers.js');

describe('bench:levers', () => {
  it('sets each lever as a change of the shipped recipe', () => {
    expect(LEVERS.recipe()).toEqual([]);
    expect(LEVERS.coverage()).toEqual(['distill.teacher.windows=coverage']);
    expect(LEVERS['popularity-0.2']()).toEqual(['distill.outerPopularityPower=0.2']);
    expect(LEVERS['backoff-1pct']()).toEqual([
      'distill.outerBackoff.factor=0.5',
      'distill.outerBackoff.threshold=0.01',
    ]);
    expect(LEVERS['inner-models']({ name: 'gru4rec' })).toEqual([
      'distill.innerModels=[{"name":"gru4rec"}]',
    ]);
    expect(() => LEVERS['inner-models']()).toThrow(/needs a data set with a second architecture/);
  });

  it('writes a lever line: validation across distillations, the outer loop’s gain, shares (hand-computed)', () => {
    const across = (valid: number, share: number) => ({
      count: 2,
      valid: { mean: valid, sd: 0.001 },
      test: { mean: 0, sd: 0 },
      shareOfFull: { mean: share, sd: 0.02 },
    });
    const r = {
      metric: 'NDCG@10',
      rows: [
        { data: 'farzi', distillSeconds: 61.2, acrossDistillations: across(0.09, 0.75) },
        { data: 'farzi-step0', acrossDistillations: across(0.06, 0.55) },
      ],
      distillations: [
        { method: 'farzi', step0Valid: 0.05, bestValid: 0.06 },
        { method: 'farzi', step0Valid: 0.08, bestValid: 0.08 },
      ],
    } as unknown as DatasetQualityResults;
    // Gains 20% and 0%: mean 10%, sd 14.1.
    expect(leverLine('coverage', ['distill.teacher.windows=coverage'], r)).toBe(
      '| coverage | `distill.teacher.windows=coverage` | 0.0900 ± 0.0010 | – | 10.0% ± 14.1 (min 0.0%) | 75.0% ± 2.0 | 55.0% ± 2.0 | – | 61 |',
    );
  });

  it('gives the outer loop’s gain as an improvement for perplexity too (PTB, hand-computed)', () => {
    const r = {
      metric: 'perplexity',
      lowerIsBetter: true,
      rows: [],
      distillations: [{ method: 'farzi', step0Valid: 462.1, bestValid: 421.74 }],
    } as unknown as DatasetQualityResults;
    // 462.1 / 421.74 − 1 = 9.57%, not 421.74 / 462.1 − 1 = −8.7%.
    expect(leverLine('recipe', [], r).split(' | ')[4]).toBe('9.6% ± 0.0 (min 9.6%)');
  });

  it('pairs a lever’s validation with the reference lever’s distillation by distillation (hand-computed)', () => {
    const results = (valids: (number | undefined)[]) =>
      ({
        distillations: valids.map((valid, i) => ({
          method: 'farzi',
          budget: '200x5',
          index: i + 1,
          ...(valid === undefined ? {} : { valid }),
        })),
      }) as unknown as DatasetQualityResults;
    const recipe = results([0.0369, 0.0365, 0.0394]);
    // −0.0005, −0.0006, +0.0007: mean −0.0000(7) — the spread across teachers (0.0029) cancels.
    expect(pairedValid(results([0.0364, 0.0359, 0.0401]), recipe)).toBe(
      '−0.0001 (−0.0005 / −0.0006 / +0.0007)',
    );
    expect(pairedValid(results([0.0372, 0.0365, 0.0394]), recipe)).toBe(
      '+0.0001 (+0.0003 / +0.0000 / +0.0000)',
    );
    // Nothing to pair with: the reference lever itself, a distillation missing on either side.
    expect(pairedValid(recipe)).toBe('–');
    expect(pairedValid(results([0.0364, undefined, 0.0401]), recipe)).toBe('–');
    expect(pairedValid(results([0.0364, 0.0359]), results([0.0369]))).toBe('–');
  });

  it('names an unknown lever or data set, exit code 2', () => {
    if (!fs.existsSync(script)) throw new Error('build the benchmarks first (npm run build)');
    const r = spawnSync(process.execPath, [script, '--dataset', 'ml-100k', '--levers', 'magic'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('levers: unknown levers magic; known: recipe, coverage');
    const d = spawnSync(process.execPath, [script, '--dataset', 'imdb'], { encoding: 'utf8' });
    expect(d.status).toBe(2);
    expect(d.stderr).toContain('levers: --dataset imdb: known data sets are');
  });

  it('runs each lever from the first lever’s teachers and second-architecture teacher (toy plan, --cross)', () => {
    // At toy size, through the built CLI (npm run build): a one-layer LM, one distillation.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-levers-'));
    try {
      const { train, distill } = toyConfigs(dir, toyCorpus(dir));
      const gru = path.join(dir, 'gru.json');
      const gruModel = { name: 'gru4rec', embeddingSize: 8, hiddenSize: 8, layers: 1, dropout: 0 };
      fs.writeFileSync(
        gru,
        JSON.stringify({ ...JSON.parse(fs.readFileSync(train, 'utf8')), model: gruModel }),
      );
      const out = path.join(dir, 'levers');
      const logged: string[] = [];
      const options = {
        dataset: 'toy',
        plan: { train, distill, budgets: ['4x9'], baselines: [], crossModel: gru },
        levers: ['recipe', 'outer-lr-0.003'],
        budget: '4x9',
        out,
        seeds: [1],
        distillations: 1,
        cross: true,
        cli: path.resolve(__dirname, '../../cli/bin/farzi.js'),
        command: 'levers (test)',
        log: (line: string) => logged.push(line),
      };
      const lines = runLevers(options);
      expect(lines.map((l) => l.split(' | ')[0])).toEqual(['| recipe', '| outer-lr-0.003']);
      // Each line has a cross-architecture share (GRU4Rec students on that lever's data).
      for (const line of lines) expect(line.split(' | ')[7]).toMatch(/^\d+\.\d% ± /);
      // The second lever's validation minus the recipe's, paired by distillation (the students'
      // mean validation perplexity on each lever's optimised data); none for the recipe itself.
      const validOf = (lever: string) =>
        JSON.parse(
          fs.readFileSync(path.join(out, lever, 'runs', 'farzi-4x9-s1', 'metrics.json'), 'utf8'),
        ).valid.metrics.perplexity as number;
      const delta = validOf('outer-lr-0.003') - validOf('recipe');
      const signed = `${delta < 0 ? '−' : '+'}${Math.abs(delta).toFixed(4)}`;
      expect(lines[0].split(' | ')[3]).toBe('–');
      expect(lines[1].split(' | ')[3]).toBe(`${signed} (${signed})`);
      // The second lever trained no teacher of its own, and its distillation has its setting.
      const second = path.join(out, 'outer-lr-0.003', 'runs');
      expect(fs.existsSync(path.join(second, 'full'))).toBe(false);
      expect(fs.existsSync(path.join(second, 'gru4rec-full'))).toBe(false);
      const config = JSON.parse(
        fs.readFileSync(path.join(second, 'farzi-4x9', 'config.json'), 'utf8'),
      );
      expect(config.distill.outerLearningRate).toBe(0.003);
      expect(config.distill.teacher.checkpoint).toBe(path.join(out, 'recipe', 'runs', 'full'));
      // An outer-loop setting leaves the step-0 data's tensors as they were: the lever's step-0
      // students are a finished student's of the same data, reused (not retrained) — at toy size
      // possibly the recipe's optimised one, when its validation kept step 0 as the best data. The
      // lever's optimised students are reused exactly when its best data is its step 0 too.
      const reusedFrom = (dir: string) =>
        JSON.parse(fs.readFileSync(path.join(dir, 'reused.json'), 'utf8')).from as string;
      const leverStep0 = path.join(second, 'farzi-step0-4x9-s1');
      expect(path.dirname(reusedFrom(leverStep0))).toBe(path.join(out, 'recipe', 'runs'));
      expect(fs.readFileSync(path.join(leverStep0, 'metrics.json'), 'utf8')).toBe(
        fs.readFileSync(path.join(reusedFrom(leverStep0), 'metrics.json'), 'utf8'),
      );
      expect(logged).toContain(
        `reusing ${leverStep0}: the same data and settings as a finished student`,
      );
      const summary = JSON.parse(
        fs.readFileSync(path.join(second, 'farzi-4x9', 'summary.json'), 'utf8'),
      ) as { bestStep: number };
      const leverOptimised = path.join(second, 'farzi-4x9-s1');
      expect(fs.existsSync(path.join(leverOptimised, 'reused.json'))).toBe(summary.bestStep === 0);
      expect(fs.existsSync(path.join(leverOptimised, 'config.json'))).toBe(summary.bestStep !== 0);
      const table = fs.readFileSync(path.join(out, 'ablation.md'), 'utf8');
      expect(table).toContain('cross-architecture test share');
      expect(table).toContain(lines[1]);
      // Run again with the teachers named: everything is reused.
      logged.length = 0;
      runLevers({
        ...options,
        teachers: [path.join(out, 'recipe', 'runs', 'full')],
        crossTeacher: path.join(out, 'recipe', 'runs', 'gru4rec-full'),
      });
      expect(logged.filter((l) => /training|distilling/.test(l))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
