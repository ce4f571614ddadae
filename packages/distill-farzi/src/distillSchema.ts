import {
  outerBackoffSchema,
  studentTrajectorySchema,
  windowSelectionSchema,
} from '@farzi/distill-kit';
import type { WindowSelection } from '@farzi/distill-kit';
import { DistillSection, ExperimentConfig, JsonSchema, UserError } from '@farzi/core';

const positiveInt = (d: number, description?: string) => ({
  type: 'integer',
  minimum: 1,
  default: d,
  ...(description ? { description } : {}),
});

/** The `distill` section of an experiment config, owned by this plugin. */
export const distillSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    size: {
      type: 'array',
      items: [
        { type: 'integer', minimum: 1, description: 'μ: synthetic sequences' },
        { type: 'integer', minimum: 2, description: 'ξ: positions per sequence' },
      ],
      minItems: 2,
      maxItems: 2,
      default: [50, 50],
      description: '[μ, ξ]: the Farzi Data budget is μ×ξ events',
    },
    latentDim: positiveInt(16, 'd: latent size of F [μ, ξ, d] and M [d, |V|]'),
    temperature: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 1,
      description: 'τ in softmax(F·M/τ)',
    },
    support: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        'sparse support: each synthetic position decodes to a softmax over only its k largest logits, re-selected from F·M at every decoding (0 = over every item)',
    },
    init: {
      enum: ['real', 'random', 'teacher'],
      default: 'real',
      description:
        '"real": each synthetic sequence starts pointing at a random real user\'s last ξ items; "random": N(0, initStd²); "teacher": F and M fitted to real users\' last ξ items mixed with a trained teacher\'s next-item distributions (distill.teacher)',
    },
    teacher: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'init "teacher": position t of a synthetic sequence starts as (1 − mix)·onehot(item_t) + mix·p_teacher(· | items before t), fitted into F·M',
      properties: {
        checkpoint: {
          type: 'string',
          default: '',
          description:
            "a checkpoint (.safetensors) or training run directory of the same model trained on the same data, e.g. from `npx farzi train`; empty = train the teacher here with the config's train section (kept in <run>/teacher.safetensors)",
        },
        mix: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 1,
          description:
            "weight of the teacher's distribution against the observed item (1: every position after the first is the teacher's prediction from the real items before it)",
        },
        temperature: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 1,
          description: "temperature of the teacher's softmax",
        },
        fitSteps: positiveInt(200, 'Adam steps fitting F and M to the teacher sequences'),
        fitStart: {
          enum: ['random', 'teacher'],
          default: 'random',
          description:
            'where the fit starts: "random" N(0, initStd²); "teacher" F·M = the teacher\'s own logits (M its output layer, F its hidden states after the real items before each position: exact after the first position; distill.latentDim must be the model\'s hidden size, plus one if its output layer has a bias)',
        },
        fitLearningRate: { type: 'number', exclusiveMinimum: 0, default: 0.05 },
        windows: windowSelectionSchema,
      },
    },
    initScale: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 4,
      description: '"real" init: logit margin of the pointed-at item',
    },
    initStd: { type: 'number', exclusiveMinimum: 0, default: 0.1 },
    innerSteps: positiveInt(20, 'T: inner Adam steps per outer step'),
    innerLearningRate: { type: 'number', exclusiveMinimum: 0, default: 0.01 },
    innerOptimizer: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9 },
        beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.999 },
        eps: { type: 'number', exclusiveMinimum: 0, default: 1e-8 },
        epsRoot: {
          type: 'number',
          minimum: 0,
          default: 1e-8,
          description: 'inside the square root (keeps the reversal differentiable at v = 0)',
        },
        weightDecay: { type: 'number', minimum: 0, default: 0 },
      },
    },
    metaGradient: {
      enum: ['exact', 'finite-difference'],
      default: 'exact',
      description:
        'second-order products by double backward through safe ops (default: faster, and equal to unrolled autograd to ~1e-5), or by float32 central differences of gradients (kept for checks on small models: at ml-100k [10×50] they are 0.6–13× off in relative norm, whatever the radius)',
    },
    sequenceChunk: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        'synthetic sequences per gradient / second-order product (sums over sequences, so the result is the same): 0 = auto, the fewest equal chunks that keep each decoded [sequences × ξ × |V|] tensor under 13M values (large catalogues), or a number',
    },
    reverseCheckpointEvery: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        'store the inner state every k steps and reset the reversal to it (0 = pure reversal, O(1) memory)',
    },
    learnInnerLearningRate: {
      type: 'boolean',
      default: false,
      description:
        'learn one inner learning rate per inner step (log-parametrised, starting at innerLearningRate, updated by the outer Adam with its reverse-mode meta-gradient); the schedule is saved with the Farzi Data and used by the "inner" student recipe',
    },
    innerModels: {
      type: 'array',
      default: [],
      maxItems: 8,
      items: { type: 'object', required: ['name'] },
      description:
        'more architectures in the inner loop, each a model section (e.g. {"name": "gru4rec"}): outer step k trains the config\'s model and these in turn, so the data is optimised for all of them; each has its own student pool (innerInit "student")',
    },
    innerInit: {
      enum: ['trajectories', 'random', 'student'],
      default: 'trajectories',
      description:
        'where each inner loop starts: a random pretrained checkpoint (models trained on the real data), a fresh random initialisation, or a random checkpoint of a student trained on the current Farzi Data with the student recipe (distill.studentTrajectory)',
    },
    studentTrajectory: studentTrajectorySchema,
    trajectories: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        count: positiveInt(2, 'K: models trained on the real data'),
        epochs: positiveInt(20),
        every: positiveInt(2, 'keep a checkpoint every N epochs'),
        includeInitial: {
          type: 'boolean',
          default: false,
          description: 'also start from the untrained initialisation',
        },
        learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
        batchSize: positiveInt(128),
      },
    },
    outerSteps: {
      type: 'integer',
      minimum: 0,
      default: 150,
      description:
        'outer (meta-gradient) steps; 0 keeps the initial data (e.g. the teacher initialisation) and only validates it',
    },
    outerLearningRate: { type: 'number', exclusiveMinimum: 0, default: 0.01 },
    outerBackoff: outerBackoffSchema,
    outerTeacher: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        "logit alignment in the outer objective: (1 − weight)·cross-entropy of the real next items + weight·cross-entropy of the teacher's next-item distributions at the same real positions (the teacher of distill.teacher: its checkpoint, or the one trained here)",
      properties: {
        weight: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0,
          description: "λ: the teacher's share of the outer loss (0 = real next items only)",
        },
        temperature: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 1,
          description: "temperature of the teacher's softmax in the outer loss",
        },
        featureWeight: {
          type: 'number',
          minimum: 0,
          default: 0,
          description:
            "β: feature alignment (as TD3): the outer loss adds β·(mean squared distance between the student's hidden states and the teacher's at the same real positions), so the data teaches the teacher's representations, not only its next-item distributions (0 = off; needs a model with hidden states, e.g. SASRec, GRU4Rec)",
        },
      },
    },
    outerPopularityPower: {
      type: 'number',
      minimum: 0,
      maximum: 2,
      default: 0,
      description:
        "α: weight each real position of the outer loss by count(its next item)^−α (the item's count as a next item in the training data), normalised to mean 1 per real batch, so the synthetic data is optimised for the torso and tail items as well as the head (0 = every position alike)",
    },
    realBatchSize: positiveInt(256, 'real sequences per outer step'),
    evalEvery: {
      type: 'integer',
      minimum: 0,
      default: 25,
      description: 'train a fresh student and validate every N outer steps (0 = only at the end)',
    },
    student: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'how the fresh student of the periodic validation is trained on the Farzi Data',
      properties: {
        recipe: {
          enum: ['inner', 'custom'],
          default: 'custom',
          description:
            '"inner": exactly the inner loop (innerSteps Adam steps with innerLearningRate and innerOptimizer on all μ sequences, dropout off) — with innerInit "random" the outer loss is then the real-data loss of this student; "custom": epochs/learningRate/batchSize below with train.optimizer and the model\'s dropout',
        },
        epochs: positiveInt(
          100,
          'passes over the Farzi Data (one step each at the default batch size)',
        ),
        learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.01 },
        batchSize: {
          type: 'integer',
          minimum: 0,
          default: 0,
          description: '0 = all μ sequences per step',
        },
      },
    },
    diagnose: {
      type: 'boolean',
      default: false,
      description:
        "record, per outer step, the meta-gradient's norm, its agreement with a central difference of the outer objective along it (two more inner loops per step) and the teacher's entropy at the real positions (summary.json history)",
    },
    checkpointEvery: positiveInt(1, 'save the distillation state every N outer steps'),
  },
};

export interface DistillConfig extends DistillSection {
  size: [number, number];
  latentDim: number;
  temperature: number;
  support: number;
  init: 'real' | 'random' | 'teacher';
  teacher: {
    checkpoint: string;
    mix: number;
    temperature: number;
    fitSteps: number;
    fitStart: 'random' | 'teacher';
    fitLearningRate: number;
    windows: WindowSelection;
  };
  initScale: number;
  initStd: number;
  innerSteps: number;
  innerLearningRate: number;
  innerOptimizer: {
    beta1: number;
    beta2: number;
    eps: number;
    epsRoot: number;
    weightDecay: number;
  };
  metaGradient: 'exact' | 'finite-difference';
  sequenceChunk: number;
  reverseCheckpointEvery: number;
  learnInnerLearningRate: boolean;
  innerModels: Record<string, unknown>[];
  innerInit: 'trajectories' | 'random' | 'student';
  studentTrajectory: { every: number; refreshEvery: number };
  trajectories: {
    count: number;
    epochs: number;
    every: number;
    includeInitial: boolean;
    learningRate: number;
    batchSize: number;
  };
  outerSteps: number;
  outerLearningRate: number;
  outerBackoff: { factor: number; patience: number; threshold: number };
  outerTeacher: { weight: number; temperature: number; featureWeight: number };
  outerPopularityPower: number;
  realBatchSize: number;
  evalEvery: number;
  student: { recipe: 'inner' | 'custom'; epochs: number; learningRate: number; batchSize: number };
  checkpointEvery: number;
  diagnose: boolean;
}

/**
 * The validated `distill` section of a Farzi config, typed: the one place its settings are cast
 * (validation has filled every default and checked every value against `distillSchema`).
 */
export function farziSettings(config: ExperimentConfig): DistillConfig {
  const section = config.distill;
  if (!section || section.method !== 'farzi') {
    throw new UserError(
      `distill.method: "${String(section?.method ?? '')}" is not farzi; this run needs the Farzi distiller's settings.`,
    );
  }
  return section as DistillConfig;
}
