import { LoopBest, runUnits, UnitLoop, validationDue } from './unitLoop';

/** Runs a loop whose validations return `values[i]` and records every call in order. */
async function trace(
  values: Record<number, number>,
  loop: Partial<UnitLoop> & Pick<UnitLoop, 'total'>,
): Promise<{ calls: string[]; best: LoopBest; stoppedEarly: boolean }> {
  const calls: string[] = [];
  const best: LoopBest = loop.best ?? { metric: null, at: null, badEvaluations: 0 };
  const { stoppedEarly } = await runUnits({
    done: 0,
    evalEvery: 1,
    higherIsBetter: true,
    ...loop,
    best,
    unit: async (i) => {
      calls.push(`unit ${i}`);
    },
    validate: async (i) => values[i],
    validated: (i, value, better) => {
      calls.push(`valid ${i} ${value}${better ? ' best' : ''}`);
    },
    after: (i) => {
      calls.push(`after ${i}`);
    },
  });
  return { calls, best, stoppedEarly };
}

describe('runUnits', () => {
  it('validates every k units and after the last, keeping the best (higher is better)', async () => {
    const r = await trace({ 2: 0.3, 4: 0.5, 5: 0.4 }, { total: 5, evalEvery: 2 });
    expect(r.calls).toEqual([
      'unit 1',
      'after 1',
      'unit 2',
      'valid 2 0.3 best',
      'after 2',
      'unit 3',
      'after 3',
      'unit 4',
      'valid 4 0.5 best',
      'after 4',
      'unit 5',
      'valid 5 0.4',
      'after 5',
    ]);
    expect(r.best).toEqual({ metric: 0.5, at: 4, badEvaluations: 1 });
    expect(r.stoppedEarly).toBe(false);
  });

  it('keeps the lowest value when lower is better, and never validates with evalEvery 0', async () => {
    const lower = await trace({ 1: 9, 2: 7, 3: 8 }, { total: 3, higherIsBetter: false });
    expect(lower.best).toEqual({ metric: 7, at: 2, badEvaluations: 1 });
    const never = await trace({ 1: 9 }, { total: 2, evalEvery: 0 });
    expect(never.calls).toEqual(['unit 1', 'after 1', 'unit 2', 'after 2']);
    expect(never.best.at).toBeNull();
  });

  it('stops after `patience` validations without improvement, the last unit finished', async () => {
    const r = await trace({ 1: 5, 2: 4, 3: 4, 4: 6 }, { total: 6, patience: 2 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.calls.slice(-3)).toEqual(['unit 3', 'valid 3 4', 'after 3']);
    expect(r.best).toEqual({ metric: 5, at: 1, badEvaluations: 2 });
  });

  it('resumes after `done` units with the saved best, and validates unit 0 only on a fresh start', async () => {
    const resumed = await trace(
      { 0: 1, 3: 2, 4: 0.5 },
      {
        total: 4,
        done: 2,
        validateFirst: true,
        patience: 3,
        best: { metric: 2.5, at: 2, badEvaluations: 1 },
      },
    );
    expect(resumed.calls).toEqual([
      'unit 3',
      'valid 3 2',
      'after 3',
      'unit 4',
      'valid 4 0.5',
      'after 4',
    ]);
    expect(resumed.stoppedEarly).toBe(true); // the third bad validation in a row
    const fresh = await trace({ 0: 1, 1: 2 }, { total: 1, validateFirst: true });
    expect(fresh.calls).toEqual(['valid 0 1 best', 'unit 1', 'valid 1 2 best', 'after 1']);
  });

  it('a validation with nothing to validate with changes nothing; eta counts this session only', async () => {
    const r = await trace({}, { total: 2 });
    expect(r.calls).toEqual(['unit 1', 'after 1', 'unit 2', 'after 2']);
    const etas: number[] = [];
    await runUnits({
      total: 4,
      done: 1,
      evalEvery: 0,
      higherIsBetter: true,
      best: { metric: null, at: null, badEvaluations: 0 },
      unit: async (_i, eta) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        etas.push(eta());
      },
    });
    // After unit 2 (the first of this session): two more at ~20 ms each; none left after unit 4.
    expect(etas[0]).toBeGreaterThan(0.02);
    expect(etas[0]).toBeLessThan(0.5);
    expect(etas[2]).toBe(0);
  });

  it('validationDue: every k units and the last one', () => {
    expect([1, 2, 3, 4, 5].map((i) => validationDue(i, 5, 2))).toEqual([
      false,
      true,
      false,
      true,
      true,
    ]);
    expect(validationDue(5, 5, 0)).toBe(false);
    expect([4, 5].map((i) => validationDue(i, 5, 0, true))).toEqual([false, true]);
  });
});
