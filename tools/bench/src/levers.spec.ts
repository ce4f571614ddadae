import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { DatasetQualityResults } from './datasetQuality';
import { LEVERS, leverLine } from './levers';

const script = path.resolve(__dirname, '../dist/levers.js');

describe('bench:levers', () => {
  it('sets each lever as a change of the shipped recipe', () => {
    expect(LEVERS.recipe()).toEqual([]);
    expect(LEVERS.coverage()).toEqual(['distill.teacher.windows=coverage']);
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
      '| coverage | `distill.teacher.windows=coverage` | 0.0900 ± 0.0010 | 10.0% ± 14.1 (min 0.0%) | 75.0% ± 2.0 | 55.0% ± 2.0 | – | 61 |',
    );
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
});
