import { parseArgs } from 'util';

/** The quality benchmark's command line: its options, usage text and parsing. */
export const USAGE = `npm run bench:quality -- [options]   (node tools/bench/dist/quality.js [options])

Per data set (the issue-17 tables; writes benchmarks/quality-<data set>/results.{json,md}):
  --datasets ml-100k,beauty,sports   data sets to run (one or more; also toys, ptb)
  --budgets 50x20,20x15              Farzi budgets μ×ξ (default: the data set's plan)
  --seeds 42,7,123                   student seeds for every row
  --distillations 3                  independent distillations per method and budget, each from
                                     its own teacher (teacher and distillation seeds + 1000·(i−1));
                                     rows report the spread across them
  --teacher <run-dir>                a finished full-data run to reuse as the first teacher (one
                                     data set)
  --teachers <dir1,dir2,dir3>        finished full-data runs to reuse as the teachers, in order
  --skip-baselines                   no random-/head-sample rows (e.g. a lever's ablation)
  --cross-teacher <run-dir>          a finished full-data GRU4Rec run to reuse (one data set)
  --distill-set k=v                  a --set for every distillation (repeatable); written
                                     <method>:k=v, for that method's only (td3:k=v)
  --student-set k=v                  a --set for every student (repeatable), after the plan's
                                     for the budget (PTB: batch 32 / 8, lr 0.002, 200 epochs)
  --cross-student-set k=v            a --set for the GRU4Rec students only, after --student-set
                                     and the plan's (Beauty, Sports: train.learningRate=0.03)
  --full-set k=v                     a --set for the full-data trainings (repeatable)
  --skip-optimised <budgets>         budgets distilled only to their step-0 data
  --skip-cross                       no GRU4Rec rows
  --method farzi,td3                 distillation methods side by side at every budget (default:
                                     the plan's; ml-100k has a TD3 config)
  --out <dir>                        write under <dir>/<data set> instead

MovieLens-100K's earlier table (without --datasets): --budgets 10x50,50x50 --outer-steps N
  --init teacher|real --inner-init student|random|trajectories --out dir --quick (see the source)

Runs finished before are reused and interrupted ones resumed: run the same command again. A run
made with other settings (an edited config, another --student-set) stops the benchmark, naming it.
`;

export function benchArgs() {
  try {
    return parseArgs({ options: benchOptions });
  } catch (error) {
    process.stderr.write(`quality: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const benchOptions = {
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
  teachers: { type: 'string' },
  'skip-baselines': { type: 'boolean', default: false },
  distillations: { type: 'string', default: '3' },
  // A finished full-data run of the plan's second architecture (GRU4Rec), one data set only.
  'cross-teacher': { type: 'string' },
  'distill-set': { type: 'string', multiple: true },
  'student-set': { type: 'string', multiple: true },
  'cross-student-set': { type: 'string', multiple: true },
  'full-set': { type: 'string', multiple: true },
  // Budgets (e.g. 258x36) distilled only to their step-0 data: no outer loop, no "farzi" row.
  'skip-optimised': { type: 'string' },
  // No cross-architecture (GRU4Rec) rows: its full-data run is not trained.
  'skip-cross': { type: 'boolean', default: false },
  // Distillation methods side by side (each with the plan's config for it).
  method: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;
