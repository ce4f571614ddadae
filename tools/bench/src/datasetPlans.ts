/* The per-data-set plans of `bench:quality --datasets`: shipped configs, budgets, baselines. */

/** What one data set's benchmark runs: the shipped configs and the budgets [μ×ξ]. */
export interface DatasetPlan {
  /** Full-data training config (the teacher). */
  readonly train: string;
  /** Distillation config; its model and eval sections also train the students. */
  readonly distill: string;
  /** Other methods' distillation configs (`--method farzi,td3`), by method. */
  readonly methods?: Readonly<Record<string, string>>;
  readonly budgets: readonly string[];
  /** Training sources of the baselines at the Farzi budget (`random-sample`, `head-sample`). */
  readonly baselines: readonly string[];
  /**
   * Another architecture's full-data config (GRU4Rec): its full-data run, and students of that
   * architecture on each budget's optimised Farzi Data (distilled with the plan's model).
   */
  readonly crossModel?: string;
  /**
   * `--set` overrides for the cross-architecture students, chosen on validation for this data set
   * (before any `--cross-student-set` given on the command line, which can override them).
   */
  readonly crossStudentSets?: readonly string[];
  /**
   * `--set` overrides for every student of a budget (every row's: Farzi Data, step 0, baselines),
   * after the small-data recipe and before any `--student-set` given on the command line.
   */
  readonly studentSets?: Readonly<Record<string, readonly string[]>>;
}

const ptbStudents = (batchSize: number, evalEvery: number) => [
  `train.batchSize=${batchSize}`,
  'train.learningRate=0.002',
  'train.epochs=200',
  `train.evalEvery=${evalEvery}`,
  'train.earlyStopping.patience=3',
];

export const DATASET_PLANS: Readonly<Record<string, DatasetPlan>> = {
  ptb: {
    train: 'configs/transformer-ptb.json',
    distill: 'configs/farzi-transformer-ptb.json',
    budgets: ['258x36', '26x36'],
    baselines: ['random-sample'],
    // The text students' recipe, chosen on validation (BENCHMARKS.md, "Farzi text on PTB"): Adam
    // 0.002 in batches of 32 (8 at 0.1%), up to 200 epochs, validated every 5 (10) with patience 3.
    studentSets: {
      '258x36': ptbStudents(32, 5),
      '26x36': ptbStudents(8, 10),
    },
  },
  // Beauty: 153,776 training events ([200×5] and [50×20] 0.65%, [20×15] 0.195%); Sports: 225,141
  // ([200×5] and [50×20] 0.44%, [20×20] 0.18%); MovieLens-100K: 98,114 ([10×50] 0.51%, [20×50] 1.0%).
  // The Amazon configs ship [200×5]: at the same 1,000 events, more and shorter synthetic sequences
  // were ahead on validation on Beauty, Sports and Toys (BENCHMARKS.md, "More, shorter synthetic
  // sequences"); [50×20], the shape shipped before, stays beside it as the comparison.
  beauty: {
    train: 'configs/sasrec-beauty.json',
    distill: 'configs/farzi-sasrec-beauty.json',
    methods: { td3: 'configs/td3-sasrec-beauty.json' },
    budgets: ['200x5', '50x20'],
    baselines: ['random-sample', 'head-sample'],
    crossModel: 'configs/gru4rec-beauty.json',
    // GRU4Rec students on 50 soft sequences want a larger step than SASRec's 0.003: validation
    // chose 0.03 over 0.003, 0.01 and 0.1 (BENCHMARKS.md, Amazon Beauty).
    crossStudentSets: ['train.learningRate=0.03'],
  },
  sports: {
    train: 'configs/sasrec-sports.json',
    distill: 'configs/farzi-sasrec-sports.json',
    methods: { td3: 'configs/td3-sasrec-sports.json' },
    budgets: ['200x5', '50x20'],
    baselines: ['random-sample', 'head-sample'],
    crossModel: 'configs/gru4rec-sports.json',
    // Beauty's choice (validation on Sports: 0.0161 ± 0.0018 against 0.0088 ± 0.0005 at 0.003).
    crossStudentSets: ['train.learningRate=0.03'],
  },
  // Toys: 128,773 training events ([50×20] 0.78%, [20×15] 0.23%); Beauty's statistics, and the check
  // that a recipe chosen on Beauty is not a recipe for Beauty (issue 39): Beauty's settings as they are.
  toys: {
    train: 'configs/sasrec-toys.json',
    distill: 'configs/farzi-sasrec-toys.json',
    methods: { td3: 'configs/td3-sasrec-toys.json' },
    budgets: ['200x5', '50x20'],
    baselines: ['random-sample', 'head-sample'],
    crossModel: 'configs/gru4rec-toys.json',
    crossStudentSets: ['train.learningRate=0.03'],
  },
  'ml-100k': {
    train: 'configs/sasrec-ml100k.json',
    distill: 'configs/farzi-sasrec-ml100k.json',
    methods: { td3: 'configs/td3-sasrec-ml100k.json' },
    budgets: ['10x50', '20x50'],
    baselines: ['random-sample', 'head-sample'],
    crossModel: 'configs/gru4rec-ml100k.json',
    // GRU4Rec students keep the SASRec students' 0.003 here: validation chose it over 0.01 and 0.03
    // (BENCHMARKS.md, MovieLens-100K).
  },
};
