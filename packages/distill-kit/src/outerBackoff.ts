import * as tf from '@tensorflow/tfjs-core';
import type { LoopBest, Params } from '@farzi/core';
import { cloneParams } from './checkpoints';

/** distill.outerBackoff: what a method's config says. */
export interface BackoffSettings {
  /** The outer learning rate's factor at each back-off (0: never back off). */
  readonly factor: number;
  /** Validations below the best in a row before backing off. */
  readonly patience: number;
  /**
   * Back off only when the latest validation is below the best by more than this fraction of the
   * best (0 or absent: by any amount).
   */
  readonly threshold?: number;
}

/**
 * How far `value` is below `best` as a fraction of |best| (positive: worse; for a metric where
 * lower is better, e.g. perplexity, above it). Infinity when there is no best yet or it is 0.
 */
export function relativeFall(value: number, best: number | null, higherIsBetter: boolean): number {
  if (best === null || best === 0 || !Number.isFinite(best)) return Infinity;
  return (higherIsBetter ? best - value : value - best) / Math.abs(best);
}

/** The `distill.outerBackoff` schema, the same for every method that offers it. */
export const outerBackoffSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description:
    'when the validation student falls below the best for `patience` validations in a row, go back to the best data and multiply the outer learning rate by `factor` (the outer Adam restarts from there)',
  properties: {
    factor: {
      type: 'number',
      minimum: 0,
      exclusiveMaximum: 1,
      default: 0,
      description: "the outer learning rate's factor at each back-off (0 = never back off)",
    },
    patience: {
      type: 'integer',
      minimum: 1,
      default: 1,
      description: 'validations below the best before backing off',
    },
    threshold: {
      type: 'number',
      minimum: 0,
      default: 0,
      description:
        "back off only when the latest validation is below the best by more than this fraction of the best (0: by any amount; e.g. 0.01 lets falls within 1%, the validation student's own noise, pass)",
    },
  },
} as const;

/** The prefix of the kept parameters' names in a method's checkpoint. */
const KEPT = 'best.';

/**
 * The back-off of an outer loop, for any bi-level method: a copy of the outer parameters at the
 * best validation; when validation has stayed below the best for `patience` validations and outer
 * steps remain, that copy to go back to, with the outer learning rate's scale multiplied by
 * `factor`. The method restores its parameters from it and restarts its outer optimiser at
 * `outerLearningRate · scale`. Checkpointed with the method's state (`checkpointParams`, `scale`),
 * so that a resumed run backs off to the same data.
 */
export class OuterBackoff {
  private kept: Params | undefined;

  private constructor(
    readonly settings: BackoffSettings,
    /** The outer learning rate's factor after the back-offs so far. */
    public scale: number,
    kept: Params | undefined,
  ) {
    this.kept = kept;
  }

  /** A fresh run's back-off (nothing kept yet, scale 1). */
  static fresh(settings: BackoffSettings): OuterBackoff {
    return new OuterBackoff(settings, 1, undefined);
  }

  /**
   * A resumed run's back-off: its scale and the kept parameters from a checkpoint's tensors (the
   * `best.<name>` entries of `params`, which this object then owns).
   */
  static resumed(settings: BackoffSettings, params: Params, scale = 1): OuterBackoff {
    const entries = Object.entries(params).filter(([k]) => k.startsWith(KEPT));
    const kept = entries.length
      ? (Object.fromEntries(entries.map(([k, t]) => [k.slice(KEPT.length), t])) as Params)
      : undefined;
    return new OuterBackoff(settings, scale, kept);
  }

  get enabled(): boolean {
    return this.settings.factor > 0;
  }

  /** The kept parameters as checkpoint entries (`best.<name>`; still owned by this object). */
  checkpointParams(): Params {
    return Object.fromEntries(
      Object.entries(this.kept ?? {}).map(([k, t]) => [`${KEPT}${k}`, t]),
    ) as Params;
  }

  /**
   * After a validation the shared loop has scored (`best` updated, `better`: a new best): on a new
   * best, keeps a copy of `current`; when validation has stayed below the best `patience` times,
   * the latest by more than `threshold` (`fall`: its `relativeFall`; unknown counts as past any
   * threshold), and `step` is not the last, resets the count and returns a copy of the kept
   * parameters (the caller owns it) with `scale` multiplied by the factor. Otherwise undefined.
   */
  afterValidation(
    step: number,
    lastStep: number,
    better: boolean,
    best: LoopBest,
    current: Params,
    fall = Infinity,
  ): Params | undefined {
    if (!this.enabled) return undefined;
    if (better) {
      this.dispose();
      this.kept = cloneParams(current);
      return undefined;
    }
    if (!this.kept || step >= lastStep || best.badEvaluations < this.settings.patience) {
      return undefined;
    }
    const threshold = this.settings.threshold ?? 0;
    if (threshold > 0 && !(fall > threshold)) return undefined;
    best.badEvaluations = 0;
    this.scale *= this.settings.factor;
    return cloneParams(this.kept);
  }

  dispose(): void {
    if (this.kept) tf.dispose(Object.values(this.kept));
    this.kept = undefined;
  }
}

/**
 * What a method reports when it backs off (its history entry and its message); `fall`: the latest
 * validation's `relativeFall`, shown when known.
 */
export function backoffReport(
  step: number,
  to: number | null,
  patience: number,
  learningRate: number,
  fall?: number,
): { history: Record<string, unknown>; text: string } {
  const known = fall !== undefined && Number.isFinite(fall);
  const by = known ? `, the latest by ${(100 * (fall as number)).toPrecision(2)}%` : '';
  return {
    history: {
      step,
      backoff: { to, outerLearningRate: learningRate, ...(known ? { fall } : {}) },
    },
    text: `step ${step}: validation below the best (step ${to}) ${patience} time(s)${by}: back to that data, outer learning rate ${learningRate.toPrecision(3)}`,
  };
}
