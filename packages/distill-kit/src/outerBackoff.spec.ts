import * as tf from '@tensorflow/tfjs-core';
import type { LoopBest, Params } from '@farzi/core';
import { backoffReport, OuterBackoff, relativeFall } from './outerBackoff';

const params = (x: number): Params => ({ a: tf.fill([2], x), b: tf.scalar(10 * x) });
const values = (p: Params) =>
  Object.fromEntries(Object.entries(p).map(([k, t]) => [k, Array.from(t.dataSync())]));

describe('OuterBackoff', () => {
  it('keeps the best parameters and hands back a copy, scaled, after `patience` bad validations', () => {
    const before = tf.memory().numTensors;
    const backoff = OuterBackoff.fresh({ factor: 0.5, patience: 2 });
    const best: LoopBest = { metric: 0.3, at: 0, badEvaluations: 0 };
    const p0 = params(1);
    expect(backoff.afterValidation(0, 10, true, best, p0)).toBeUndefined();
    p0.a.dispose(); // the kept copy is its own
    p0.b.dispose();
    best.badEvaluations = 1;
    expect(backoff.afterValidation(2, 10, false, best, params(2))).toBeUndefined(); // patience 2
    best.badEvaluations = 2;
    const back = backoff.afterValidation(4, 10, false, best, params(3)) as Params;
    expect(values(back)).toEqual({ a: [1, 1], b: [10] });
    expect(backoff.scale).toBe(0.5);
    expect(best.badEvaluations).toBe(0);
    // Twice more: the scale compounds; each copy is new.
    best.badEvaluations = 2;
    const again = backoff.afterValidation(6, 10, false, best, params(4)) as Params;
    expect(again.a).not.toBe(back.a);
    expect(backoff.scale).toBe(0.25);
    tf.dispose([...Object.values(back), ...Object.values(again)]);
    backoff.dispose();
    // The params(2..4) of the calls above were the caller's: 3 × 2 tensors.
    expect(tf.memory().numTensors).toBe(before + 6);
  });

  it('does nothing when off, at the last step, or with nothing kept', () => {
    const best: LoopBest = { metric: 0.3, at: 0, badEvaluations: 5 };
    const p = params(1);
    const off = OuterBackoff.fresh({ factor: 0, patience: 1 });
    expect(off.afterValidation(0, 10, true, best, p)).toBeUndefined();
    expect(off.checkpointParams()).toEqual({});
    expect(off.afterValidation(2, 10, false, best, p)).toBeUndefined();
    const on = OuterBackoff.fresh({ factor: 0.5, patience: 1 });
    expect(on.afterValidation(2, 10, false, best, p)).toBeUndefined(); // nothing kept yet
    on.afterValidation(3, 10, true, best, p);
    expect(on.afterValidation(10, 10, false, best, p)).toBeUndefined(); // the last step
    expect(on.scale).toBe(1);
    expect(best.badEvaluations).toBe(5);
    on.dispose();
    tf.dispose(Object.values(p));
  });

  it('resumes from its checkpoint entries with the same kept parameters and scale', () => {
    const backoff = OuterBackoff.fresh({ factor: 0.5, patience: 1 });
    const best: LoopBest = { metric: 0.3, at: 0, badEvaluations: 0 };
    const p = params(7);
    backoff.afterValidation(0, 10, true, best, p);
    const entries = backoff.checkpointParams();
    expect(Object.keys(entries).sort()).toEqual(['best.a', 'best.b']);
    const saved: Params = {
      a: p.a,
      ...Object.fromEntries(Object.entries(entries).map(([k, t]) => [k, tf.clone(t)])),
    };
    const resumed = OuterBackoff.resumed({ factor: 0.5, patience: 1 }, saved, 0.5);
    best.badEvaluations = 1;
    const back = resumed.afterValidation(3, 10, false, best, p) as Params;
    expect(values(back)).toEqual({ a: [7, 7], b: [70] });
    expect(resumed.scale).toBe(0.25);
    tf.dispose([...Object.values(back), ...Object.values(p)]);
    resumed.dispose();
    backoff.dispose();
  });

  it('measures a fall relative to the best, in the metric’s direction (hand-computed)', () => {
    expect(relativeFall(0.0342, 0.0346, true)).toBeCloseTo(0.0004 / 0.0346, 12); // NDCG: 1.16%
    expect(relativeFall(448.1189, 448.0537, false)).toBeCloseTo(0.0652 / 448.0537, 12); // 0.015%
    expect(relativeFall(0.036, 0.0346, true)).toBeLessThan(0); // above the best: no fall
    expect(relativeFall(440, 448, false)).toBeCloseTo(-8 / 448, 12);
    expect(relativeFall(0.1, null, true)).toBe(Infinity);
    expect(relativeFall(0.1, 0, true)).toBe(Infinity);
  });

  it('with a threshold, backs off only when the latest fall is larger than it', () => {
    const backoff = OuterBackoff.fresh({ factor: 0.5, patience: 1, threshold: 0.01 });
    const best: LoopBest = { metric: 448.0537, at: 5, badEvaluations: 0 };
    const p = params(1);
    backoff.afterValidation(5, 30, true, best, p);
    // PTB's first distillation at step 10: 448.1189 against 448.0537 — noise, not a fall.
    best.badEvaluations = 1;
    const noise = relativeFall(448.1189, best.metric, false);
    expect(backoff.afterValidation(10, 30, false, best, p, noise)).toBeUndefined();
    expect(backoff.scale).toBe(1);
    // Exactly at the threshold still passes; past it, back.
    best.badEvaluations = 2;
    expect(backoff.afterValidation(15, 30, false, best, p, 0.01)).toBeUndefined();
    const back = backoff.afterValidation(20, 30, false, best, p, 0.0101) as Params;
    expect(values(back)).toEqual({ a: [1, 1], b: [10] });
    expect(backoff.scale).toBe(0.5);
    expect(best.badEvaluations).toBe(0);
    // Without a threshold (0, the default) any fall — and an unknown one — backs off, as before.
    const plain = OuterBackoff.fresh({ factor: 0.5, patience: 1, threshold: 0 });
    plain.afterValidation(5, 30, true, best, p);
    best.badEvaluations = 1;
    const again = plain.afterValidation(10, 30, false, best, p, noise) as Params;
    expect(again).toBeDefined();
    best.badEvaluations = 1;
    const unknown = backoff.afterValidation(25, 30, false, best, p) as Params;
    expect(unknown).toBeDefined();
    tf.dispose([...Object.values(back), ...Object.values(again), ...Object.values(unknown)]);
    tf.dispose(Object.values(p));
    backoff.dispose();
    plain.dispose();
  });

  it('reports a back-off the same way for every method', () => {
    expect(backoffReport(20, 10, 1, 0.005)).toEqual({
      history: { step: 20, backoff: { to: 10, outerLearningRate: 0.005 } },
      text: 'step 20: validation below the best (step 10) 1 time(s): back to that data, outer learning rate 0.00500',
    });
    // With the fall (a fraction of the best): in the message as a percentage, and in the history.
    expect(backoffReport(40, 30, 1, 0.005, relativeFall(0.0342, 0.0346, true))).toEqual({
      history: {
        step: 40,
        backoff: { to: 30, outerLearningRate: 0.005, fall: relativeFall(0.0342, 0.0346, true) },
      },
      text: 'step 40: validation below the best (step 30) 1 time(s), the latest by 1.2%: back to that data, outer learning rate 0.00500',
    });
    expect(backoffReport(40, 30, 1, 0.005, Infinity).text).not.toContain('latest by');
  });
});
