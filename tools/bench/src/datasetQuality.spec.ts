import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  lowerIsBetter,
  meanSd,
  pooledMeanSd,
  runDatasetQuality,
  SEED_STRIDE,
} from './datasetQuality';
import { methodSets } from './qualityRuns';
import { toyConfigs, toyCorpus } from './toyBench.fixture';

// The per-data-set quality benchmark as a user runs it (`bench:quality -- --datasets …`), at toy
// size: a small text corpus, a one-layer Transformer LM, one budget, one seed. It drives the built
// CLI (tools/cli/bin/farzi.js), so `npm run build` must have run (CI's `npm ci` builds).
const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'tools', 'cli', 'bin', 'farzi.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-dataset-quality-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const corpus = () => toyCorpus(dir);
const configs = (data: string) => toyConfigs(dir, data);

describe('bench:quality --datasets', () => {
  it('runs full data, Farzi Data (optimised and step 0) and the baseline with seeds, then reuses every run', () => {
    const { train, distill } = configs(corpus());
    const out = path.join(dir, 'out');
    const logged: string[] = [];
    const options = {
      dataset: 'toy',
      plan: {
        train,
        distill,
        budgets: ['4x9'],
        baselines: ['random-sample'],
        // The plan's student settings for the budget, after the small-data recipe and before the
        // command line's (which win: evalEvery 1, not 2).
        studentSets: {
          '4x9': ['train.learningRate=0.004', 'train.evalEvery=2'],
          '9x9': ['seed=7'],
        },
      },
      out,
      seeds: [1, 2],
      studentSets: ['train.epochs=2', 'train.evalEvery=1'],
      cli,
      log: (line: string) => logged.push(line),
    };
    const results = runDatasetQuality(options);
    expect(results.metric).toBe('perplexity');
    expect(results.lowerIsBetter).toBe(true);
    expect(results.rows.map((r) => r.data)).toEqual(['farzi', 'farzi-step0', 'random-sample']);
    for (const row of results.rows) {
      expect(row.seeds).toEqual([1, 2]);
      expect(Number.isFinite(row.test.mean)).toBe(true);
      // Share of full data for perplexity: full ÷ this.
      expect(row.shareOfFull).toBeCloseTo((results.full.test as number) / row.test.mean, 10);
    }
    // Farzi rows carry their distillation's cost; the baseline trains on 4 spans of 9 tokens.
    expect(results.rows[0].distillSeconds).toBeGreaterThan(0);
    expect(results.rows[2].events).toEqual([32, 32]);
    for (const run of ['farzi-4x9-s2', 'random-sample-4x9-s1']) {
      const student = JSON.parse(
        fs.readFileSync(path.join(out, 'runs', run, 'config.json'), 'utf8'),
      ) as { seed: number; train: { learningRate: number; evalEvery: number; batchSize: number } };
      expect(student.train).toMatchObject({ learningRate: 0.004, evalEvery: 1, batchSize: 4 });
      expect(student.seed).toBe(Number(run.slice(-1)));
    }
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('| [4×9] | farzi (seeds 1, 2) | 32 (4 seq.) |');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')).rows).toHaveLength(
      3,
    );
    // One distillation: its run keeps the step-0 data (the step-0 row's cost is its init time).
    // When its validation kept step 0 as the best data, the step-0 students are the optimised
    // ones (the same tensors, the same settings), reused rather than trained again.
    const runs = path.join(out, 'runs');
    const { bestStep } = JSON.parse(
      fs.readFileSync(path.join(runs, 'farzi-4x9', 'summary.json'), 'utf8'),
    ) as { bestStep: number };
    const step0Students = [1, 2].map((seed) => path.join(runs, `farzi-step0-4x9-s${seed}`));
    const reusing = step0Students.map(
      (run) => `reusing ${run}: the same data and settings as a finished student`,
    );
    expect(logged.filter((l) => /^(training|distilling)/.test(l))).toHaveLength(
      bestStep === 0 ? 6 : 8,
    );
    expect(logged.filter((l) => l.startsWith('reusing'))).toEqual(bestStep === 0 ? reusing : []);
    if (bestStep === 0) expect(results.rows[1].test).toEqual(results.rows[0].test);
    expect(fs.existsSync(path.join(runs, 'farzi-4x9', 'farzi-data-step0.safetensors'))).toBe(true);
    expect(results.rows[1].distillSeconds).toBeGreaterThan(0);

    // Stopped and started again: finished runs are reused, a lost one is trained again.
    logged.length = 0;
    fs.rmSync(path.join(out, 'runs', 'random-sample-4x9-s2'), { recursive: true });
    const again = runDatasetQuality(options);
    expect(logged).toEqual([`training ${path.join(out, 'runs', 'random-sample-4x9-s2')}`]);
    expect(again.rows[0]).toEqual(results.rows[0]);

    // A distillation from before runs kept their step-0 data: step 0 is distilled on its own.
    logged.length = 0;
    fs.rmSync(path.join(runs, 'farzi-4x9', 'farzi-data-step0.safetensors'));
    for (const seed of [1, 2])
      fs.rmSync(path.join(runs, `farzi-step0-4x9-s${seed}`), { recursive: true });
    runDatasetQuality(options);
    expect(logged).toEqual([
      `distilling ${path.join(runs, 'farzi-step0-4x9')}`,
      ...(bestStep === 0 ? reusing : step0Students.map((run) => `training ${run}`)),
    ]);

    // --skip-optimised 4x9: only the step-0 data (distilled with outerSteps 0) and the baseline.
    logged.length = 0;
    const step0Only = runDatasetQuality({ ...options, skipOptimised: ['4x9'] });
    expect(step0Only.rows.map((r) => r.data)).toEqual(['farzi-step0', 'random-sample']);
    expect(logged).toEqual([]);
  }, 600_000);

  it('trains the second architecture on the full data and on the distilled data (cross-architecture rows)', () => {
    const { train, distill } = configs(corpus());
    const gru = path.join(dir, 'gru.json');
    const base = JSON.parse(fs.readFileSync(train, 'utf8'));
    const gruModel = { name: 'gru4rec', embeddingSize: 8, hiddenSize: 8, layers: 1, dropout: 0 };
    fs.writeFileSync(gru, JSON.stringify({ ...base, model: gruModel }));
    const out = path.join(dir, 'cross');
    const logged: string[] = [];
    const options = {
      dataset: 'toy',
      plan: {
        train,
        distill,
        budgets: ['4x9'],
        baselines: [],
        crossModel: gru,
        crossStudentSets: ['train.learningRate=0.02', 'train.earlyStopping.patience=2'],
      },
      out,
      seeds: [1],
      studentSets: ['train.epochs=2', 'train.evalEvery=1'],
      crossStudentSets: ['train.learningRate=0.01'],
      cli,
      log: (line: string) => logged.push(line),
    };
    const results = runDatasetQuality(options);
    const runs = path.join(out, 'runs');
    expect(results.rows.map((r) => r.data)).toEqual(['farzi', 'gru4rec-on-farzi', 'farzi-step0']);
    const crossFull = JSON.parse(
      fs.readFileSync(path.join(runs, 'gru4rec-full', 'metrics.json'), 'utf8'),
    );
    expect(results.crossFull?.test).toBe(crossFull.test.metrics.perplexity);
    const cross = results.rows[1];
    // Its share is of the same architecture's full-data run; it trained on the optimised data.
    expect(cross.shareOfFull).toBeCloseTo(
      (results.crossFull?.test as number) / cross.test.mean,
      10,
    );
    const config = JSON.parse(
      fs.readFileSync(path.join(runs, 'gru4rec-on-farzi-4x9-s1', 'config.json'), 'utf8'),
    );
    expect(config.model).toEqual(expect.objectContaining(gruModel));
    // Its own student settings — the plan's, then --cross-student-set's (which wins) — not the
    // SASRec students'.
    expect(config.train.learningRate).toBe(0.01);
    expect(config.train.earlyStopping.patience).toBe(2);
    const sasrecStudent = JSON.parse(
      fs.readFileSync(path.join(runs, 'farzi-4x9-s1', 'config.json'), 'utf8'),
    );
    expect(sasrecStudent.train.learningRate).toBe(0.003);
    expect(sasrecStudent.train.earlyStopping.patience).toBe(4);
    expect(config.train.source.path).toBe(
      path.resolve(runs, 'farzi-4x9', 'farzi-data.safetensors'),
    );
    expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toMatch(
      /gru4rec on the full data: .*\n[\s\S]*\| \[4×9\] \| gru4rec-on-farzi \(seeds 1\) \|/,
    );
    // Reused when run again; --cross-teacher names a finished run instead.
    logged.length = 0;
    runDatasetQuality({ ...options, crossTeacher: path.join(runs, 'gru4rec-full') });
    expect(logged).toEqual([]);
    // Other settings than a finished run was made with: no silent reuse of its old numbers.
    const changed = { ...options, studentSets: ['train.epochs=3', 'train.evalEvery=1'] };
    expect(() => runDatasetQuality(changed)).toThrow(
      new RegExp(
        `${path.join(runs, 'farzi-4x9-s1')} was made with other settings than this run would use \\(train\\.epochs: 2 there, 3 now\\)`,
      ),
    );
    expect(logged).toEqual([]);
  }, 600_000);

  it('runs two distillation methods side by side at every budget (--method farzi,td3)', () => {
    const { train, distill } = configs(corpus());
    const td3 = path.join(dir, 'td3.json');
    const base = JSON.parse(fs.readFileSync(distill, 'utf8'));
    fs.writeFileSync(
      td3,
      JSON.stringify({
        ...base,
        distill: {
          method: 'td3',
          size: [4, 9],
          ranks: { users: 2, positions: 3, items: 4 },
          innerSteps: 2,
          horizon: 3,
          outerSteps: 1,
          realBatchSize: 8,
          evalEvery: 1,
          student: { epochs: 2 },
        },
      }),
    );
    const out = path.join(dir, 'methods');
    const options = {
      dataset: 'toy',
      plan: { train, distill, methods: { td3 }, budgets: ['4x9'], baselines: [] },
      out,
      seeds: [1],
      methods: ['farzi', 'td3'],
      studentSets: ['train.epochs=2'],
      cli,
      log: () => undefined,
    };
    // A --distill-set written `td3:k=v` is for TD3's distillations only.
    const results = runDatasetQuality({
      ...options,
      distillSets: ['td3:distill.innerLearningRate=0.002'],
    });
    expect(results.rows.map((r) => r.data)).toEqual(['farzi', 'farzi-step0', 'td3', 'td3-step0']);
    const runConfig = (run: string) =>
      JSON.parse(fs.readFileSync(path.join(out, 'runs', run, 'config.json'), 'utf8'));
    expect(runConfig('td3-4x9').distill.innerLearningRate).toBe(0.002);
    expect(runConfig('farzi-4x9').distill.innerLearningRate).not.toBe(0.002);
    const summary = JSON.parse(
      fs.readFileSync(path.join(out, 'runs', 'td3-4x9', 'summary.json'), 'utf8'),
    );
    expect(summary.method).toBe('td3');
    expect(() =>
      runDatasetQuality({ ...options, distillSets: ['gru4rec:distill.outerSteps=2'] }),
    ).toThrow(
      /--distill-set gru4rec:distill.outerSteps=2: "gru4rec" is not a method of this run \(--method farzi,td3\)/,
    );
    expect(results.rows[2].distillSeconds).toBeGreaterThan(0);
    expect(() => runDatasetQuality({ ...options, methods: ['td4'] })).toThrow(
      /--method td4: no distillation config for it on toy \(configs for td3, farzi\)/,
    );
  }, 600_000);

  it('makes each row of distilled data from independent distillations, each from its own teacher (--distillations)', () => {
    const { train, distill } = configs(corpus());
    const out = path.join(dir, 'spread');
    const logged: string[] = [];
    const options = {
      dataset: 'toy',
      plan: { train, distill, budgets: ['4x9'], baselines: ['random-sample'] },
      out,
      seeds: [1, 2],
      distillations: 2,
      studentSets: ['train.epochs=2', 'train.evalEvery=1'],
      cli,
      log: (line: string) => logged.push(line),
    };
    const results = runDatasetQuality(options);
    const runs = path.join(out, 'runs');
    const config = (run: string) =>
      JSON.parse(fs.readFileSync(path.join(runs, run, 'config.json'), 'utf8'));
    // Two teachers and two distillations, each with its own seed; the second distils from the second.
    expect(results.full.teachers.map((t) => t.seed)).toEqual([3, 3 + SEED_STRIDE]);
    expect(config('full-d2').seed).toBe(3 + SEED_STRIDE);
    expect(config('farzi-d2-4x9').seed).toBe(3 + SEED_STRIDE);
    expect(config('farzi-4x9').seed).toBe(3);
    expect(config('farzi-d2-4x9').distill.teacher.checkpoint).toBe(path.join(runs, 'full-d2'));
    const metricOf = (run: string) =>
      JSON.parse(fs.readFileSync(path.join(runs, run, 'metrics.json'), 'utf8')).test.metrics
        .perplexity as number;
    // Full data is the teachers' mean; the baseline is not distilled (one set of students).
    expect(results.full.test).toBeCloseTo((metricOf('full') + metricOf('full-d2')) / 2, 10);
    expect(results.rows.map((r) => r.data)).toEqual(['farzi', 'farzi-step0', 'random-sample']);
    expect(results.rows[2].acrossDistillations).toBeUndefined();
    expect(results.rows[2].events).toHaveLength(2);
    for (const [row, data] of [
      [results.rows[0], 'farzi'],
      [results.rows[1], 'farzi-step0'],
    ] as const) {
      // Each distillation's students: four runs; the spread across distillations is that of
      // each distillation's mean student.
      const first = [1, 2].map((s) => metricOf(`${data}-4x9-s${s}`));
      const second = [1, 2].map((s) => metricOf(`${data}-d2-4x9-s${s}`));
      expect(row.events).toHaveLength(4);
      expect(row.test.mean).toBeCloseTo(meanSd([...first, ...second]).mean, 10);
      expect(row.test.sd).toBeCloseTo(pooledMeanSd([first, second]).sd, 10);
      const across = row.acrossDistillations;
      expect(across?.count).toBe(2);
      expect(across?.test.sd).toBeCloseTo(meanSd([meanSd(first).mean, meanSd(second).mean]).sd, 10);
      expect(across?.shareOfFull.mean).toBeCloseTo(
        meanSd([first, second].map((g) => results.full.test / meanSd(g).mean)).mean,
        10,
      );
    }
    // One record per distillation: its teacher, seed, and outer loop on validation.
    expect(results.distillations).toHaveLength(2);
    const [d1, d2] = results.distillations;
    expect(d2).toEqual(
      expect.objectContaining({ index: 2, teacherSeed: 3 + SEED_STRIDE, seed: 3 + SEED_STRIDE }),
    );
    for (const d of [d1, d2]) {
      expect(Number.isFinite(d.step0Valid)).toBe(true);
      expect(Number.isFinite(d.bestValid)).toBe(true);
      expect(Number.isFinite(d.test)).toBe(true);
      expect(Number.isFinite(d.step0Test)).toBe(true);
    }
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/full data: [\d.]+ ± [\d.]+ over 2 teachers \(seeds 3, 1003\)/);
    expect(md).toMatch(
      /\| \[4×9\] \| farzi \(seeds 1, 2\) \| .* \| [\d.]+ ± [\d.]+ \([\d.]+% ± [\d.]+ pts, 2\) \|/,
    );
    expect(md).toMatch(
      /\| \[4×9\] \| farzi \| 2 \| 1003 \| [\d.]+ \| 1003 \| [\d.]+ → [\d.]+ \(step \d of 1\) \| [+-][\d.]+% \|/,
    );
    // Run again: everything is reused.
    logged.length = 0;
    runDatasetQuality(options);
    expect(logged).toEqual([]);

    // A lever's ablation elsewhere, from the same teachers (--teachers) and without baselines.
    const lever = runDatasetQuality({
      ...options,
      out: path.join(dir, 'spread-lever'),
      teacher: [path.join(runs, 'full'), path.join(runs, 'full-d2')],
      skipBaselines: true,
      distillSets: ['distill.outerSteps=2'],
    });
    expect(lever.rows.map((r) => r.data)).toEqual(['farzi', 'farzi-step0']);
    expect(lever.full.test).toBe(results.full.test);
    expect(logged.filter((l) => /full/.test(l))).toEqual([]);
    expect(lever.distillations.map((d) => d.steps)).toEqual([2, 2]);
  }, 600_000);

  it('names the log of a run that fails', () => {
    const { distill } = configs(corpus2());
    expect(() =>
      runDatasetQuality({
        dataset: 'broken',
        plan: { train: path.join(dir, 'missing.json'), distill, budgets: ['4x9'], baselines: [] },
        out: path.join(dir, 'broken'),
        seeds: [1],
        cli,
        log: () => undefined,
      }),
    ).toThrow(/farzi train for .*full failed \(exit 2\); .*full\.log:\n.*missing\.json/s);
  });

  it('summarises seeds as mean ± sample standard deviation, and knows which metrics fall', () => {
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1 });
    expect(meanSd([5])).toEqual({ mean: 5, sd: 0 });
    // Pooled within-group sd: each group's variance is 2, whatever the groups' means.
    const pooled = pooledMeanSd([
      [1, 3],
      [5, 7],
    ]);
    expect(pooled.mean).toBe(4);
    expect(pooled.sd).toBeCloseTo(Math.sqrt(2), 12);
    expect(pooledMeanSd([[1, 2, 3]])).toEqual({ mean: 2, sd: 1 });
    expect(lowerIsBetter('perplexity')).toBe(true);
    expect(lowerIsBetter('NDCG@10')).toBe(false);
  });
});

function corpus2(): string {
  const data = path.join(dir, 'toy2');
  if (!fs.existsSync(data)) fs.cpSync(path.join(dir, 'toy'), data, { recursive: true });
  return data;
}

describe('--distill-set for one method', () => {
  it('keeps the sets without a prefix for every method and a method: prefix for that method only', () => {
    const list = [
      'distill.outerSteps=30',
      'td3:distill.outerLearningRate=0.003',
      'farzi:distill.support=64',
      'distill.outerBackoff={"factor":0.5,"patience":1}',
      'td3:distill.outerBackoff={"factor":0.5}',
    ];
    expect(methodSets(list, 'td3')).toEqual([
      'distill.outerSteps=30',
      'distill.outerLearningRate=0.003',
      'distill.outerBackoff={"factor":0.5,"patience":1}',
      'distill.outerBackoff={"factor":0.5}',
    ]);
    expect(methodSets(list, 'farzi')).toEqual([
      'distill.outerSteps=30',
      'distill.support=64',
      'distill.outerBackoff={"factor":0.5,"patience":1}',
    ]);
  });
});
