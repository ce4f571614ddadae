import * as tf from '@tensorflow/tfjs-core';
import type { DistillSummary } from '@farzi/core';
import { backoffReport, relativeFall } from '@farzi/distill-kit';
import type { StudentPool } from '@farzi/distill-kit';
import { saveFarziData } from './farziData';
import type { FarziContext } from './farziContext';
import type { FarziRun } from './farziRun';
import { evaluateFarzi, trainStudent } from './student';

/** Validation of a fresh student every `evalEvery` outer steps, keeping the best Farzi Data. */
export function validator(
  ctx: FarziContext,
  farzi: FarziRun,
  pool: StudentPool,
  budget: DistillSummary['budget'],
) {
  const { config, split, settings: dc, emit } = ctx;
  const evaluator = ctx.request.tools.evaluator(config);
  const metricName = config.eval.metric;
  const higherIsBetter = evaluator?.higherIsBetter(metricName) ?? true;
  const farziFile = ctx.run.file('farzi-data.safetensors');
  const info = () => ({
    budget,
    distill: dc,
    model: config.model,
    // What a student needs beyond the data (the browser page trains one from the file alone).
    data: { maxLength: config.data.maxLength },
    train: { optimizer: config.train.optimizer },
    bestStep: farzi.bestStep,
    bestMetric: farzi.bestMetric,
    metric: metricName,
  });
  // innerInit "student": checkpoints along a student trained on the data after outer step
  // `pool.step`, kept in <run>/student-pool so that a resumed run starts from the same ones.
  const poolDue = (step: number) =>
    dc.innerInit === 'student' &&
    step < dc.outerSteps &&
    step % dc.studentTrajectory.refreshEvery === 0 &&
    pool.step !== step;
  let metrics: Record<string, number> = {};
  /** Trains a fresh student on the current data; its validation metric (undefined: no evaluator). */
  const validate = async (step: number): Promise<number | undefined> => {
    // The validation student is trained exactly as the pool's student: one training serves both.
    const collect = evaluator && poolDue(step) ? pool.collector(step) : undefined;
    const result = await evaluateFarzi(
      ctx.model,
      farzi.current(info()),
      config,
      dc,
      split,
      evaluator,
      'valid',
      farzi.schedule(),
      collect?.onEpochEnd,
    );
    if (collect) {
      collect.finish();
      emit({ type: 'message', label: 'farzi', text: pool.describe() });
    }
    if (!result) return undefined;
    metrics = result.metrics;
    return result.metrics[metricName];
  };
  /** After a validation (the loop has updated farzi.best): keep the best data, report. */
  const validated = (step: number, value: number, better: boolean) => {
    if (better) saveFarziData(farziFile, farzi.current(info()));
    farzi.history.push({ step, valid: metrics });
    emit({
      type: 'message',
      label: 'farzi',
      text: `step ${step}: student valid ${metricName} ${value.toFixed(4)}${better ? ' (best)' : ''}`,
    });
    backOff(step, value, better);
  };
  /** distill.outerBackoff: keep the best data; go back to it when validation has fallen. */
  const backOff = (step: number, value: number, better: boolean) => {
    const fall = relativeFall(value, farzi.bestMetric, higherIsBetter);
    const learningRate = farzi.afterValidation(step, better, fall);
    if (learningRate === undefined) return;
    const report = backoffReport(
      step,
      farzi.bestStep,
      dc.outerBackoff.patience,
      learningRate,
      fall,
    );
    farzi.history.push(report.history);
    emit({ type: 'message', label: 'farzi', text: report.text });
  };
  const refreshPool = async (step: number) => {
    const collect = pool.collector(step);
    const params = await trainStudent(
      ctx.model,
      farzi.current(info()),
      config,
      dc,
      farzi.schedule(),
      collect.onEpochEnd,
    );
    tf.dispose(Object.values(params));
    collect.finish();
    emit({ type: 'message', label: 'farzi', text: pool.describe() });
  };
  return { validate, validated, poolDue, refreshPool, info, farziFile, metricName, higherIsBetter };
}
