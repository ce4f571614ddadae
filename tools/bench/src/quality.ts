import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { appServices, loadExperiment } from '@farzi/cli';
import {
  ExperimentConfig,
  loadSplit,
  selectBackend,
  writeJsonAtomic,
  writeFileAtomic,
  DistillSummary,
  smallDataRecipe,
  distillTools,
} from '@farzi/core';
import { evaluateProtocols, trainOrReuse } from './experiments';
import { datasetsMain } from './datasetQuality';

/*
 * Quality benchmark (issue: Farzi quality and cost): on MovieLens-100K with SASRec, full data vs
 * Farzi Data at several budgets vs random and head sampling at the same budgets, plus GRU4Rec trained
 * on the same Farzi Data; HR@10 / NDCG@10 under the full and the sampled protocol, as % of full data.
 * Usage: node tools/bench/dist/quality.js [--budgets 10x50,50x50] [--outer-steps N] [--init teacher|real]
 *   [--inner-init student|random|trajectories] [--out dir] [--quick]
 * `--init teacher` (default) initialises the Farzi Data from the benchmark's own full-data SASRec run
 * (runs/sasrec-full) as the teacher; `--inner-init student` (default) starts the inner loops from
 * checkpoints of a student trained on the current Farzi Data. Run names carry the variant:
 * farzi-teacher-student-<budget>, farzi-teacher-<budget> (random inner init), farzi-<budget> (real).
 */
const { values } = parseArgs({
  options: {
    budgets: { type: 'string', default: '10x50,50x50' },
    'outer-steps': { type: 'string', default: '30' },
    'full-epochs': { type: 'string', default: '60' },
    'inner-steps': { type: 'string', default: '10' },
    'trajectory-epochs': { type: 'string', default: '20' },
    'full-batch': { type: 'string', default: '32' },
    'full-lr': { type: 'string', default: '0.001' },
    'gru-batch': { type: 'string', default: '128' },
    'gru-lr': { type: 'string', default: '0.002' },
    'small-lrs': { type: 'string', default: '0.001,0.003,0.01' },
    'extra-farzi': { type: 'string', default: '' },
    init: { type: 'string', default: 'teacher' },
    'inner-init': { type: 'string', default: 'student' },
    'inner-lr': { type: 'string', default: '0.003' },
    'distill-eval-every': { type: 'string', default: '10' },
    'student-lr': { type: 'string', default: '0.003' },
    out: { type: 'string', default: 'benchmarks/quality' },
    quick: { type: 'boolean', default: false },
    // Per data set (datasetQuality.ts): --datasets ptb,beauty [--seeds 42,7,123] [--teacher run]
    // [--distill-set k=v …] [--student-set k=v …] [--full-set k=v …]; --budgets and --out apply too.
    datasets: { type: 'string' },
    seeds: { type: 'string', default: '42,7,123' },
    teacher: { type: 'string' },
    'distill-set': { type: 'string', multiple: true },
    'student-set': { type: 'string', multiple: true },
    'full-set': { type: 'string', multiple: true },
  },
});

const started = Date.now();
const outDir = values.out as string;
const runs = path.join(outDir, 'runs');
const logFile = path.join(outDir, 'log.txt');
const log = (s: string) => {
  const line = `${new Date().toISOString()} ${s}`;
  process.stderr.write(`${line}\n`);
  fs.appendFileSync(logFile, `${line}\n`);
};

function withSets(file: string, sets: string[]): ExperimentConfig {
  return loadExperiment(file, sets);
}

async function main(): Promise<void> {
  fs.mkdirSync(runs, { recursive: true });
  const services = appServices();
  const backend = await selectBackend('auto');
  const quick = Boolean(values.quick);
  const fullEpochs = quick ? 2 : Number(values['full-epochs']);
  const outerSteps = quick ? 2 : Number(values['outer-steps']);
  const budgets = (values.budgets as string)
    .split(',')
    .map((b) => b.split('x').map(Number) as [number, number]);
  const base = [
    'data.maxLength=50',
    `train.epochs=${fullEpochs}`,
    `train.batchSize=${values['full-batch']}`,
    `train.learningRate=${values['full-lr']}`,
    'train.evalEvery=5',
    'train.earlyStopping.patience=3',
  ];
  const sasrec = withSets('configs/farzi-sasrec-ml100k.json', base);
  const split = await loadSplit(sasrec.data, services.adapters);
  const protocols = [
    { protocol: 'full' as const },
    { protocol: 'sampled' as const, negatives: 100 },
  ];
  const rows: Record<string, unknown>[] = [];
  const results = path.join(outDir, 'results.json');
  const save = () => {
    writeJsonAtomic(results, {
      machine: machine(backend.name),
      command: process.argv.join(' '),
      rows,
    });
    writeFileAtomic(path.join(outDir, 'results.md'), markdown(rows));
  };
  const record = async (
    name: string,
    model: string,
    data: string,
    budgetEvents: number | null,
    config: ExperimentConfig,
    dir: string,
    extra: Record<string, unknown> = {},
  ) => {
    const t0 = Date.now();
    const report = await trainOrReuse(config, split, services, dir, log);
    const test = await evaluateProtocols(dir, config, split, services, protocols);
    rows.push({
      name,
      model,
      data,
      budgetEvents,
      trainSeconds: report.trainSeconds,
      wallSeconds: (Date.now() - t0) / 1000,
      bestEpoch: report.bestEpoch,
      test,
      ...extra,
    });
    save();
    log(
      `${name}: full NDCG@10 ${test.full['NDCG@10'].toFixed(4)}, sampled NDCG@10 ${test.sampled['NDCG@10'].toFixed(4)}`,
    );
  };

  /*
   * Every small-budget training set (Farzi Data, random and head samples) gets the same tuning: one
   * run per learning rate of --small-lrs, up to 300 steps over all μ sequences, validated every 20
   * steps with early stopping (patience 4); the run with the best validation NDCG@10 is reported.
   */
  const smallLrs = (values['small-lrs'] as string).split(',').map(Number);
  const recordTuned = async (
    name: string,
    model: string,
    data: string,
    budgetEvents: number,
    configFile: string,
    sets: string[],
    mu: number,
    dirBase: string,
    extra: Record<string, unknown> = {},
  ) => {
    const grid: { learningRate: number; validNdcg: number; bestEpoch: number | null }[] = [];
    let best: { dir: string; config: ExperimentConfig; valid: number } | undefined;
    for (const lr of quick ? [smallLrs[smallLrs.length - 1]] : smallLrs) {
      const recipe = smallDataRecipe(mu);
      const config = withSets(configFile, [
        ...sets,
        `train.learningRate=${lr}`,
        `train.epochs=${quick ? 5 : recipe.epochs}`,
        `train.batchSize=${recipe.batchSize}`,
        `train.evalEvery=${quick ? 1 : recipe.evalEvery}`,
        `train.earlyStopping.patience=${recipe.earlyStopping.patience}`,
      ]);
      const dir = `${dirBase}-lr${lr}`;
      const report = await trainOrReuse(config, split, services, dir, log);
      const valid = report.valid?.metrics['NDCG@10'] ?? -1;
      grid.push({ learningRate: lr, validNdcg: valid, bestEpoch: report.bestEpoch });
      if (!best || valid > best.valid) best = { dir, config, valid };
    }
    const chosen = best as { dir: string; config: ExperimentConfig };
    await record(name, model, data, budgetEvents, chosen.config, chosen.dir, { ...extra, grid });
  };

  await record('SASRec, full data', 'sasrec', 'full', null, sasrec, path.join(runs, 'sasrec-full'));
  // GRU4Rec steps through time one position at a time: larger batches keep its epochs affordable.
  const gruBase = [
    ...base,
    `train.batchSize=${values['gru-batch']}`,
    `train.learningRate=${values['gru-lr']}`,
  ];
  const gru = withSets('configs/gru4rec-ml100k.json', gruBase);

  const init = values.init as string;
  if (init !== 'teacher' && init !== 'real')
    throw new Error(`--init: "teacher" or "real", not "${init}"`);
  // The variant's run names: the "real" runs keep their original names (farzi-10x50, …).
  const innerInit = values['inner-init'] as string;
  const variant =
    (init === 'teacher' ? 'teacher-' : '') + (innerInit === 'student' ? 'student-' : '');
  for (const [mu, xi] of budgets) {
    const tag = `${mu}x${xi}`;
    const distillDir = path.join(runs, `farzi-${variant}${tag}`);
    const evalEvery = values['distill-eval-every']
      ? Number(values['distill-eval-every'])
      : Math.max(1, Math.floor(outerSteps / 4));
    const distillSets = [
      ...base,
      `distill.size=[${mu},${xi}]`,
      `distill.outerSteps=${outerSteps}`,
      `distill.innerSteps=${values['inner-steps']}`,
      `distill.trajectories.epochs=${values['trajectory-epochs']}`,
      `distill.evalEvery=${evalEvery}`,
      `distill.student.learningRate=${values['student-lr']}`,
      `distill.init=${init}`,
      `distill.innerInit=${innerInit}`,
      `distill.innerLearningRate=${values['inner-lr']}`,
      ...(init === 'teacher'
        ? [`distill.teacher.checkpoint=${path.join(runs, 'sasrec-full')}`]
        : []),
    ];
    if (quick)
      distillSets.push(
        'distill.innerSteps=3',
        'distill.trajectories={"count":1,"epochs":2,"every":1}',
        'distill.evalEvery=0',
        'distill.student.epochs=5',
        'distill.studentTrajectory={"every":2,"refreshEvery":1}',
        'distill.teacher.fitSteps=5',
      );
    const distillConfig = withSets('configs/farzi-sasrec-ml100k.json', distillSets);
    let summary: DistillSummary;
    const summaryFile = path.join(distillDir, 'summary.json');
    if (fs.existsSync(summaryFile)) {
      summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
      log(`reusing ${distillDir}`);
    } else {
      if (fs.existsSync(distillDir)) fs.rmSync(distillDir, { recursive: true, force: true });
      // Every budget distils with the same model, data and seeds: reuse the pretrained trajectories
      // an earlier budget trained (the distiller picks up trajectories/manifest.json).
      const earlier = budgets
        .map(([m, x]) => path.join(runs, `farzi-${variant}${m}x${x}`, 'trajectories'))
        .find((t) => fs.existsSync(path.join(t, 'manifest.json')));
      if (earlier) fs.cpSync(earlier, path.join(distillDir, 'trajectories'), { recursive: true });
      const result = await services.distillers
        .get(distillConfig.distill?.method as string)
        .distill({
          config: distillConfig,
          split,
          tools: distillTools(services),
          outDir: distillDir,
          resume: false,
          onProgress: (e) => {
            if (e.type === 'outer' && (e.step % 5 === 0 || e.step === 1))
              log(
                `[farzi ${tag}] step ${e.step}/${e.totalSteps} outer loss ${e.loss.toFixed(4)} ${JSON.stringify(e.details)}`,
              );
            if (e.type === 'message') log(`[farzi ${tag}] ${e.text}`);
          },
        });
      summary = result.summary;
    }
    const farziFile = path.join(distillDir, 'farzi-data.safetensors');
    const studentSets = [...base, `train.source={"name":"farzi","path":"${farziFile}"}`];
    const budgetEvents = mu * xi;
    const distillInfo = {
      distillSeconds: summary.seconds,
      secondsPerOuterStep: summary.secondsPerOuterStep,
      percentOfTraining: summary.budget.percentOfTraining,
    };
    await recordTuned(
      `SASRec, Farzi [${tag}] (${describeDistillation(distillDir)})`,
      'sasrec',
      `farzi ${tag}`,
      budgetEvents,
      'configs/farzi-sasrec-ml100k.json',
      studentSets,
      mu,
      path.join(runs, `sasrec-farzi-${variant}${tag}`),
      distillInfo,
    );
    await recordTuned(
      `GRU4Rec, Farzi [${tag}] (distilled with SASRec)`,
      'gru4rec',
      `farzi ${tag}`,
      budgetEvents,
      'configs/gru4rec-ml100k.json',
      studentSets,
      mu,
      path.join(runs, `gru4rec-farzi-${variant}${tag}`),
    );
    for (const kind of ['random', 'head']) {
      await recordTuned(
        `SASRec, ${kind} sample [${tag}]`,
        'sasrec',
        `${kind} ${tag}`,
        budgetEvents,
        'configs/farzi-sasrec-ml100k.json',
        [...base, `train.source={"name":"${kind}-sample","users":${mu},"length":${xi}}`],
        mu,
        path.join(runs, `sasrec-${kind}-${tag}`),
      );
    }
  }
  // Further finished distillations (ablations), each a run directory under runs/: SASRec rows only.
  for (const name of (values['extra-farzi'] as string).split(',').filter(Boolean)) {
    const dir = path.join(runs, name);
    const [mu, xi] = (
      JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        distill: { size: [number, number] };
      }
    ).distill.size;
    const farziFile = path.join(dir, 'farzi-data.safetensors');
    await recordTuned(
      `SASRec, Farzi [${mu}x${xi}] (${describeDistillation(dir)})`,
      'sasrec',
      `farzi ${mu}x${xi} ${name}`,
      mu * xi,
      'configs/farzi-sasrec-ml100k.json',
      [...base, `train.source={"name":"farzi","path":"${farziFile}"}`],
      mu,
      path.join(runs, `sasrec-${name}`),
    );
  }
  // Last: the GRU4Rec reference for the cross-architecture rows (the slowest model here).
  await record('GRU4Rec, full data', 'gru4rec', 'full', null, gru, path.join(runs, 'gru4rec-full'));
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

/** What a distillation run did, from its config and summary: init, inner init, T, steps. */
function describeDistillation(dir: string): string {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    distill: {
      innerInit: string;
      innerSteps: number;
      initScale: number;
      init: string;
      teacher?: { mix: number };
    };
  };
  const summaryFile = path.join(dir, 'summary.json');
  const summary = fs.existsSync(summaryFile)
    ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { outerSteps: number; bestStep: number })
    : undefined;
  const d = config.distill;
  const start =
    d.init === 'teacher'
      ? `teacher init (mix ${d.teacher?.mix})`
      : `${d.init} init scale ${d.initScale}`;
  return (
    `${start}, inner init ${d.innerInit}, T ${d.innerSteps}` +
    (summary ? `, best of ${summary.outerSteps} outer steps (${summary.bestStep})` : '')
  );
}

function machine(backend: string): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    backend,
  };
}

function gridCell(r: Record<string, unknown>): string {
  const grid = r.grid as { learningRate: number; validNdcg: number }[] | undefined;
  if (!grid) return 'full-data recipe';
  const best = grid.reduce((a, b) => (b.validNdcg > a.validNdcg ? b : a));
  return `${best.learningRate} (${grid.map((g) => `${g.learningRate}: ${g.validNdcg.toFixed(4)}`).join(', ')})`;
}

function markdown(rows: Record<string, unknown>[]): string {
  const full = new Map<string, Record<string, Record<string, number>>>();
  for (const r of rows)
    if (r.data === 'full')
      full.set(r.model as string, r.test as Record<string, Record<string, number>>);
  const pct = (model: string, protocol: string, metric: string, value: number) => {
    const ref = full.get(model)?.[protocol]?.[metric];
    return ref ? `${((100 * value) / ref).toFixed(0)}%` : '–';
  };
  const lines = [
    '| run | events | full HR@10 | full NDCG@10 | % full | sampled HR@10 | sampled NDCG@10 | % full | train s | chosen lr (valid NDCG@10 per lr) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const t = r.test as Record<string, Record<string, number>>;
    const m = r.model as string;
    lines.push(
      `| ${r.name} | ${r.budgetEvents ?? 'all'} | ${t.full['HR@10'].toFixed(4)} | ${t.full['NDCG@10'].toFixed(4)} | ${pct(m, 'full', 'NDCG@10', t.full['NDCG@10'])} | ` +
        `${t.sampled['HR@10'].toFixed(4)} | ${t.sampled['NDCG@10'].toFixed(4)} | ${pct(m, 'sampled', 'NDCG@10', t.sampled['NDCG@10'])} | ${(r.trainSeconds as number).toFixed(0)} | ${gridCell(r)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

(values.datasets ? datasetsMain(values, outDir) : main()).catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
