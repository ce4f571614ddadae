import {
  outerBackoffSchema,
  studentTrajectorySchema,
  windowSelectionSchema,
} from '@farzi/distill-kit';
import type {
  BackoffSettings,
  StudentTrajectorySettings,
  WindowSelection,
} from '@farzi/distill-kit';
import { ExperimentConfig, JsonSchema, UserError } from '@farzi/core';

const positiveInt = (d: number, description?: string) => ({
  type: 'integer',
  minimum: 1,
  default: d,
  ...(description ? { description } : {}),
});
const positive = (d: number, description?: string) => ({
  type: 'number',
  exclusiveMinimum: 0,
  default: d,
  ...(description ? { description } : {}),
});

/** The `distill` section of a TD3 config (`"method": "td3"`). */
export const td3Schema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    size: {
      type: 'array',
      items: [
        { type: 'integer', minimum: 1, description: 'μ: synthetic sequences' },
        { type: 'integer', minimum: 3, description: 'ξ: positions per sequence' },
      ],
      minItems: 2,
      maxItems: 2,
      default: [50, 20],
      description: '[μ, ξ]: the budget is μ×ξ events',
    },
    ranks: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'ranks of the Tucker factorisation',
      properties: {
        users: positiveInt(16, 'r1: synthetic-user factor U [μ, r1]'),
        positions: positiveInt(8, 'r2: temporal factor T [ξ, r2]'),
        items: {
          type: 'integer',
          minimum: 0,
          default: 0,
          description:
            "r3: item factor E [|V|, r3] (0 = the model's hidden size, so that E starts from the teacher's item vectors)",
        },
      },
    },
    temperature: positive(1, 'τ in softmax(S/τ)'),
    init: {
      enum: ['random', 'teacher'],
      default: 'random',
      description:
        '"teacher": E starts as the teacher\'s item vectors (its output layer, when r3 is the hidden size), then every factor is fitted to real windows mixed with the teacher\'s next-item distributions (distill.teacher); "random": N(0, 0.1²) everywhere',
    },
    teacher: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        checkpoint: {
          type: 'string',
          default: '',
          description:
            'a checkpoint or training run of the same model on the same data (init "teacher" and the alignment weights); empty = trained here with the config\'s train section',
        },
        mix: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 1,
          description:
            'init "teacher": position t starts as (1 − mix)·onehot(item_t) + mix·p_teacher(· | items before t)',
        },
        temperature: positive(1, "temperature of the teacher's softmax for the initial data"),
        fitSteps: {
          type: 'integer',
          minimum: 0,
          default: 200,
          description: 'Adam steps fitting the factors to the teacher sequences',
        },
        fitLearningRate: positive(0.05),
        windows: windowSelectionSchema,
      },
    },
    innerSteps: positiveInt(10, 'T: the window of inner steps differentiated per outer step'),
    innerInit: {
      enum: ['random', 'student'],
      default: 'random',
      description:
        'where each inner loop starts: a fresh random initialisation (the paper), or a random checkpoint of a student trained on the current data with the validation student\'s recipe (distill.studentTrajectory; as Farzi\'s innerInit "student")',
    },
    studentTrajectory: studentTrajectorySchema,
    horizon: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        'RaT-BPTT: each outer step runs a random number of inner steps in [T, horizon] and differentiates the last T of them (0 = T: no truncation)',
    },
    crop: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        'augmented inner learner: each outer step trains on a random window of this many consecutive positions of every synthetic sequence (0 = all ξ)',
    },
    innerLearningRate: positive(0.01),
    reverseCheckpointEvery: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description:
        'store the inner state every k steps and reset the reversal to it (0 = pure reversal, memory independent of T; k > 0 bounds the float32 drift of inverting Adam)',
    },
    outerSteps: { type: 'integer', minimum: 0, default: 100 },
    outerLearningRate: positive(0.01),
    outerBackoff: outerBackoffSchema,
    outerTeacher: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        weight: {
          type: 'number',
          minimum: 0,
          maximum: 1,
          default: 0,
          description: "λ: the teacher's next-item distributions' share of the outer loss",
        },
        temperature: positive(1),
        featureWeight: {
          type: 'number',
          minimum: 0,
          default: 1,
          description:
            "β: feature alignment, TD3's surrogate objective: β·(mean squared distance between the student's hidden states and the teacher's at the real positions) (needs distill.teacher.checkpoint; 0 = off)",
        },
      },
    },
    realBatchSize: positiveInt(256, 'real sequences per outer step'),
    evalEvery: { type: 'integer', minimum: 0, default: 25 },
    checkpointEvery: positiveInt(1, 'save the state every N outer steps'),
    student: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        epochs: positiveInt(50),
        learningRate: positive(0.003),
        batchSize: { type: 'integer', minimum: 0, default: 0, description: '0 = μ' },
      },
    },
  },
};

export interface Td3Settings {
  method: 'td3';
  size: [number, number];
  ranks: { users: number; positions: number; items: number };
  temperature: number;
  init: 'random' | 'teacher';
  teacher: {
    checkpoint: string;
    mix: number;
    temperature: number;
    fitSteps: number;
    fitLearningRate: number;
    windows: WindowSelection;
  };
  innerSteps: number;
  innerInit: 'random' | 'student';
  studentTrajectory: StudentTrajectorySettings;
  horizon: number;
  crop: number;
  innerLearningRate: number;
  reverseCheckpointEvery: number;
  outerSteps: number;
  outerLearningRate: number;
  outerBackoff: BackoffSettings;
  outerTeacher: { weight: number; temperature: number; featureWeight: number };
  realBatchSize: number;
  evalEvery: number;
  checkpointEvery: number;
  student: { epochs: number; learningRate: number; batchSize: number };
}

/** The validated `distill` section of a TD3 config, typed (the one place it is cast). */
export function td3Settings(config: ExperimentConfig): Td3Settings {
  const section = config.distill;
  if (!section || section.method !== 'td3') {
    throw new UserError(`distill.method: "${String(section?.method ?? '')}" is not td3.`);
  }
  return section as unknown as Td3Settings;
}
