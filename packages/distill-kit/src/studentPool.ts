import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { loadCheckpoint, Params, writeJsonAtomic } from '@farzi/core';
import { cloneParams, saveParams } from './checkpoints';

/** distill.studentTrajectory: how the pool is kept (epochs between checkpoints, outer steps between refreshes). */
export interface StudentTrajectorySettings {
  readonly every: number;
  readonly refreshEvery: number;
}

/** The `distill.studentTrajectory` schema, the same for every method with `innerInit: "student"`. */
export const studentTrajectorySchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description:
    'innerInit "student": checkpoints kept along a student trained on the current distilled data (the validation student\'s recipe), refreshed as the data changes',
  properties: {
    every: {
      type: 'integer',
      minimum: 1,
      default: 20,
      description: "keep the student's parameters every N epochs",
    },
    refreshEvery: {
      type: 'integer',
      minimum: 1,
      default: 10,
      description: 'retrain the student on the current data every N outer steps',
    },
  },
} as const;

/**
 * Where inner loops start when they start along a student of the current data: the parameters
 * every `every` epochs of a student trained on the data as it was after outer step `step`, saved
 * under `dir` (atomically, manifest last) so that a resumed distillation starts from the same ones.
 */
export class StudentPool {
  params: Params[] = [];
  step = -1;
  constructor(
    private readonly dir: string,
    private readonly every: number,
  ) {}

  private get manifest(): string {
    return path.join(this.dir, 'manifest.json');
  }

  load(): void {
    if (!fs.existsSync(this.manifest)) return;
    const m = JSON.parse(fs.readFileSync(this.manifest, 'utf8')) as {
      step: number;
      files: string[];
    };
    this.replace(
      m.step,
      m.files.map((f) => loadCheckpoint(path.join(this.dir, f)).params),
    );
  }

  /** Keeps the student's parameters every `every` epochs; `finish` makes them the pool. */
  collector(step: number): {
    onEpochEnd: (epoch: number, params: Params) => void;
    finish: () => void;
  } {
    const kept: { epoch: number; params: Params }[] = [];
    return {
      onEpochEnd: (epoch, params) => {
        if (epoch % this.every !== 0) return;
        kept.push({ epoch, params: cloneParams(params) });
      },
      finish: () => {
        fs.mkdirSync(this.dir, { recursive: true });
        const files = kept.map(({ epoch, params }) => {
          const file = `step${step}-epoch${epoch}.safetensors`;
          saveParams(path.join(this.dir, file), params, epoch);
          return file;
        });
        const previous = fs.existsSync(this.manifest)
          ? (JSON.parse(fs.readFileSync(this.manifest, 'utf8')) as { files: string[] }).files
          : [];
        writeJsonAtomic(this.manifest, { step, files });
        for (const f of previous) {
          if (!files.includes(f)) fs.rmSync(path.join(this.dir, f), { force: true });
        }
        this.replace(
          step,
          kept.map((k) => k.params),
        );
      },
    };
  }

  describe(): string {
    return `inner loops now start from ${this.params.length} checkpoints of a student trained on the data of outer step ${this.step}`;
  }

  private replace(step: number, params: Params[]): void {
    this.dispose();
    this.params = params;
    this.step = step;
  }

  dispose(): void {
    for (const p of this.params) tf.dispose(Object.values(p));
    this.params = [];
  }
}
