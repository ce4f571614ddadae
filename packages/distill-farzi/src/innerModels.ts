import * as tf from '@tensorflow/tfjs-core';
import { ExperimentConfig, Model, parameterShapes } from '@farzi/core';
import { StudentPool } from '@farzi/distill-kit';
import type { FarziContext, FarziRun } from './farziRun';
import { trainStudent } from './student';

/*
 * distill.innerModels: more than one architecture in the inner loop. Outer step k trains
 * architecture (k − 1) mod n on the synthetic data — the config's model first, then each of
 * `innerModels` — so the data is optimised for every one of them, not only the teacher's. Each
 * architecture has its own student pool (innerInit "student"), refreshed to the main pool's outer
 * step when it is next used; with innerInit "trajectories" the other architectures start fresh.
 */

/** One architecture of the inner loop. */
export interface InnerArchitecture {
  readonly model: Model;
  /** The experiment config with this architecture's model section. */
  readonly config: ExperimentConfig;
  readonly names: string[];
  /** Where its inner loops start (innerInit "student"); the main pool for the config's model. */
  readonly pool: StudentPool;
  /** The config's own model (the teacher's and the validation student's architecture). */
  readonly primary: boolean;
}

/** The config's model, then every `distill.innerModels` entry, validated as a config's model. */
export function innerArchitectures(ctx: FarziContext, mainPool: StudentPool): InnerArchitecture[] {
  const { config, settings: dc, request, split, model } = ctx;
  const extras = dc.innerModels.map((section, i) => {
    const raw = { ...config, model: section } as unknown as Record<string, unknown>;
    const own = request.tools.validateConfig(raw, `distill.innerModels[${i}]`);
    const m = request.tools.createModel(own, split);
    return {
      model: m,
      config: own,
      names: Object.keys(parameterShapes(m)),
      pool: new StudentPool(ctx.run.file(`student-pool-${i + 1}`), dc.studentTrajectory.every),
      primary: false,
    };
  });
  return [
    { model, config, names: Object.keys(parameterShapes(model)), pool: mainPool, primary: true },
    ...extras,
  ];
}

/** The architecture of outer step `step` (1-based). */
export function architectureOf(archs: readonly InnerArchitecture[], step: number) {
  return archs[(step - 1) % archs.length];
}

/**
 * Brings another architecture's pool to the main pool's outer step: a student of that architecture
 * trained on the current data with the student recipe, its checkpoints kept.
 */
export async function refreshPool(
  ctx: FarziContext,
  farzi: FarziRun,
  arch: InnerArchitecture,
  step: number,
): Promise<void> {
  const collect = arch.pool.collector(step);
  const params = await trainStudent(
    arch.model,
    farzi.current({}),
    arch.config,
    ctx.settings,
    farzi.schedule(),
    collect.onEpochEnd,
  );
  tf.dispose(Object.values(params));
  collect.finish();
  ctx.emit({
    type: 'message',
    label: 'farzi',
    text: `${arch.config.model.name}: ${arch.pool.describe()}`,
  });
}
