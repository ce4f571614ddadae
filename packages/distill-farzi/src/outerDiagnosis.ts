import * as tf from '@tensorflow/tfjs-core';
import type { AdamHyper, Model } from '@farzi/core';
import { outerObjective, RealBatch } from '@farzi/distill-kit';
import type { DistillConfig } from './distillSchema';
import { farziSequences } from './synthetic';

/*
 * distill.diagnose: what tells a healthy outer loop from a stalled one, measured at every outer step
 * on that step's own inner start and real batch. `fdAgreement`: a central difference of the outer
 * objective along the meta-gradient at a small radius, ÷ the gradient's norm (1 = the reverse mode
 * is exact there). `stepAgreement`: the objective's actual change over the outer Adam step ÷ the
 * change the gradient predicts for it (1 = the step is in the region where the gradient holds; near
 * 0 or negative = the step is too long for the objective's roughness). `teacherEntropy`: the
 * teacher's mean entropy at the real positions (when the outer loss has a teacher term).
 */

export interface OuterDiagnosis {
  readonly gradNorm: number;
  readonly fdAgreement: number;
  readonly stepAgreement: number;
  readonly teacherEntropy?: number;
}

/** One outer step's inner loop, as the meta-gradient saw it. */
export interface InnerSetup {
  readonly model: Model;
  readonly names: string[];
  readonly w0: tf.Tensor[];
  readonly real: RealBatch;
  readonly settings: DistillConfig;
}

type Data = { readonly latent: tf.Tensor; readonly decoder: tf.Tensor };

/** What is measured before the outer update, and the copies the measurement after it needs. */
export interface Probe {
  readonly gradNorm: number;
  readonly fdAgreement: number;
  readonly teacherEntropy?: number;
  readonly before: { latent: tf.Tensor; decoder: tf.Tensor };
  readonly grads: { latent: tf.Tensor; decoder: tf.Tensor };
  dispose(): void;
}

/** The outer objective at (F, M) from the step's inner start, on its real batch. */
function objective(s: InnerSetup, data: Data, schedule?: readonly number[]): number {
  const dc = s.settings;
  const hyper: AdamHyper = { learningRate: dc.innerLearningRate, ...dc.innerOptimizer };
  const sequences = farziSequences({ ...data, temperature: dc.temperature, support: dc.support });
  return outerObjective(s.model, s.names, s.w0, sequences, s.real, dc.innerSteps, hyper, schedule);
}

const dot = (a: Data, b: { latent: tf.Tensor; decoder: tf.Tensor }) =>
  tf.tidy(
    () =>
      tf
        .add(tf.sum(tf.mul(a.latent, b.latent)), tf.sum(tf.mul(a.decoder, b.decoder)))
        .dataSync()[0],
  );

export function beforeStep(
  s: InnerSetup,
  data: Data,
  grads: Readonly<Record<string, tf.Tensor>>,
  schedule?: readonly number[],
): Probe {
  const g = { latent: grads.latent, decoder: grads.decoder };
  const gradNorm = Math.sqrt(dot(g, g));
  const eps = 1e-3;
  const along = (sign: number) => {
    const moved = tf.tidy(() => ({
      latent: tf.add(data.latent, tf.mul(g.latent, (sign * eps) / gradNorm)),
      decoder: tf.add(data.decoder, tf.mul(g.decoder, (sign * eps) / gradNorm)),
    }));
    const value = objective(s, moved, schedule);
    tf.dispose([moved.latent, moved.decoder]);
    return value;
  };
  const fdAgreement = gradNorm > 0 ? (along(1) - along(-1)) / (2 * eps) / gradNorm : Number.NaN;
  const p = s.real.teacher?.probabilities;
  const teacherEntropy = p
    ? tf.tidy(
        () => tf.neg(tf.mean(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))), -1))).dataSync()[0],
      )
    : undefined;
  const before = { latent: tf.clone(data.latent), decoder: tf.clone(data.decoder) };
  const copies = { latent: tf.clone(g.latent), decoder: tf.clone(g.decoder) };
  return {
    gradNorm,
    fdAgreement,
    ...(teacherEntropy !== undefined ? { teacherEntropy } : {}),
    before,
    grads: copies,
    dispose: () => tf.dispose([before.latent, before.decoder, copies.latent, copies.decoder]),
  };
}

/** The step's agreement, from the data after the update and the objective before it. */
export function afterStep(
  s: InnerSetup,
  probe: Probe,
  after: Data,
  lossBefore: number,
  schedule?: readonly number[],
): OuterDiagnosis {
  const delta = tf.tidy(() => ({
    latent: tf.sub(after.latent, probe.before.latent),
    decoder: tf.sub(after.decoder, probe.before.decoder),
  }));
  const predicted = dot(delta, probe.grads);
  tf.dispose([delta.latent, delta.decoder]);
  const actual = objective(s, after, schedule) - lossBefore;
  return {
    gradNorm: probe.gradNorm,
    fdAgreement: probe.fdAgreement,
    stepAgreement: predicted !== 0 ? actual / predicted : Number.NaN,
    ...(probe.teacherEntropy !== undefined ? { teacherEntropy: probe.teacherEntropy } : {}),
  };
}
