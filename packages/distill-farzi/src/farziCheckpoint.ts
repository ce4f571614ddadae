import type { LoopBest, RngState } from '@farzi/core';

/* The distillation state file's meta-data (distill-state.safetensors), in every form it was written. */

/** Meta-data of the distillation checkpoint (`distill-state.safetensors`). */
export interface FarziCheckpointMeta {
  readonly kind: 'farzi-distillation';
  /** Outer steps done. */
  readonly step: number;
  readonly rng: RngState;
  /** The best validation so far (`at`: its outer step). */
  readonly best: LoopBest;
  readonly history: Record<string, unknown>[];
  /** Seconds the distillation had run until this checkpoint, over every session (absent in old files). */
  readonly seconds?: number;
  /** The outer learning rate's factor after back-offs (distill.outerBackoff; absent: 1). */
  readonly learningRateScale?: number;
}

/** A state file written before distillations had their own meta-data (training's fields). */
export interface TrainingFieldsMeta {
  readonly epoch: number;
  readonly rng: RngState;
  readonly bestMetric: number | null;
  readonly bestEpoch: number | null;
  readonly history: Record<string, unknown>[];
}

/** The meta-data of a state file, in the current form whichever version wrote it. */
export function farziMeta(meta: FarziCheckpointMeta | TrainingFieldsMeta): FarziCheckpointMeta {
  if ('kind' in meta) return meta;
  return {
    kind: 'farzi-distillation',
    step: meta.epoch,
    rng: meta.rng,
    best: { metric: meta.bestMetric, at: meta.bestEpoch, badEvaluations: 0 },
    history: meta.history,
  };
}
