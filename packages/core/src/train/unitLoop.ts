/**
 * The loop shared by training (units = epochs) and distillation (units = outer steps): run units,
 * validate every k and after the last, keep the best, stop early after `patience` validations
 * without improvement, checkpoint after every unit, and estimate the time left — resuming after
 * the units a checkpoint already holds. What a unit does, how a validation is computed and what a
 * checkpoint holds belong to the caller.
 */

/** The best validation so far; saved with every checkpoint so that a resumed run continues it. */
export interface LoopBest {
  metric: number | null;
  /** The unit whose validation was best (0 = before the first unit). */
  at: number | null;
  /** Validations since the last improvement. */
  badEvaluations: number;
}

export interface UnitLoop {
  /** The last unit to run. */
  readonly total: number;
  /** Units a resumed run already holds (0 for a fresh run). */
  readonly done: number;
  /** Validate after every N units and after the last (0 = never, unless `validateLast`). */
  readonly evalEvery: number;
  /** Validate after the last unit even when `evalEvery` is 0 (a distillation's final data). */
  readonly validateLast?: boolean;
  /** Stop after this many validations without improvement (0 = never). */
  readonly patience?: number;
  readonly higherIsBetter: boolean;
  /** Also validate before the first unit of a fresh run (as unit 0). */
  readonly validateFirst?: boolean;
  /** Updated in place as validations come in. */
  readonly best: LoopBest;
  /** Runs unit `i`; `eta()` is the estimated seconds left once unit i is done. */
  unit(i: number, eta: () => number): Promise<void>;
  /** The validation metric after unit `i` (undefined: nothing to validate with). */
  validate?(i: number): Promise<number | undefined>;
  /** After each validation, once `best` is updated (keep the best parameters or data here). */
  validated?(i: number, value: number, better: boolean): void | Promise<void>;
  /** After unit `i` and its validation (checkpoint and report here). */
  after?(i: number): void | Promise<void>;
}

/** Whether unit `i` of `total` is followed by a validation. */
export function validationDue(
  i: number,
  total: number,
  evalEvery: number,
  validateLast = false,
): boolean {
  return (evalEvery > 0 && (i % evalEvery === 0 || i === total)) || (validateLast && i === total);
}

/** Runs the units `done + 1 … total`; returns whether it stopped early. */
export async function runUnits(loop: UnitLoop): Promise<{ stoppedEarly: boolean }> {
  const patience = loop.patience ?? 0;
  const check = async (i: number): Promise<void> => {
    const value = await loop.validate?.(i);
    if (value === undefined) return;
    const { best } = loop;
    const better =
      best.metric === null || (loop.higherIsBetter ? value > best.metric : value < best.metric);
    if (better) {
      best.metric = value;
      best.at = i;
      best.badEvaluations = 0;
    } else {
      best.badEvaluations++;
    }
    await loop.validated?.(i, value, better);
  };
  if (loop.validateFirst && loop.done === 0) await check(0);
  const started = Date.now();
  for (let i = loop.done + 1; i <= loop.total; i++) {
    const eta = () => ((Date.now() - started) / 1000 / (i - loop.done)) * (loop.total - i);
    await loop.unit(i, eta);
    if (validationDue(i, loop.total, loop.evalEvery, loop.validateLast)) await check(i);
    await loop.after?.(i);
    if (patience > 0 && loop.best.badEvaluations >= patience) {
      return { stoppedEarly: true };
    }
  }
  return { stoppedEarly: false };
}
