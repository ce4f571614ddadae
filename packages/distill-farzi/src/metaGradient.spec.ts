import * as tf from '@tensorflow/tfjs-core';
import { AdamHyper, availableEmbeddedBackends, selectBackend } from '@farzi/core';
import {
  farziMetaGradient,
  farziOuterObjective as outerObjective,
  unrolledFarziMetaGradient as unrolledMetaGradient,
} from './farziMeta';
import { RealBatch, realLoss, realPositions, SecondOrderMethod, toList } from '@farzi/distill-kit';
import { tinyAttentionModel } from './testing/tinyAttentionModel';

const V = 9;
const XI = 6;
const hyper: AdamHyper = {
  learningRate: 0.05,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  epsRoot: 1e-8,
  weightDecay: 0,
};

function setup(steps = 4) {
  const model = tinyAttentionModel(V, XI - 1, 4);
  const { names, values: w0 } = toList(model.init(3));
  const latent = tf.randomNormal([3, XI, 3], 0, 1, 'float32', 11);
  const decoder = tf.randomNormal([3, V], 0, 1, 'float32', 12);
  const real: RealBatch = {
    inputs: tf.tensor2d(
      [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 1],
        [0, 0, 3, 5, 7],
      ],
      undefined,
      'int32',
    ),
    targets: tf.tensor2d(
      [
        [1, 2, 3, 4, 5],
        [6, 7, 8, 1, 2],
        [0, 3, 5, 7, 2],
      ],
      undefined,
      'int32',
    ),
  };
  return { model, names, w0, latent, decoder, real, steps };
}

function directional(
  g: { latent: tf.Tensor; decoder: tf.Tensor },
  uF: tf.Tensor,
  uM: tf.Tensor,
): number {
  return tf.tidy(
    () => tf.add(tf.sum(tf.mul(g.latent, uF)), tf.sum(tf.mul(g.decoder, uM))).dataSync()[0],
  );
}

/** The outer objective's central difference along (uF, uM) at radius `eps`, for the real batch. */
function centralDifference(
  s: ReturnType<typeof setup>,
  uF: tf.Tensor,
  uM: tf.Tensor,
  real: RealBatch,
  eps = 5e-3,
): number {
  const at = (sign: number) =>
    outerObjective(
      s.model,
      s.names,
      s.w0,
      {
        latent: tf.add(s.latent, tf.mul(uF, sign * eps)),
        decoder: tf.add(s.decoder, tf.mul(uM, sign * eps)),
        temperature: 1,
      },
      real,
      s.steps,
      hyper,
    );
  return (at(1) - at(-1)) / (2 * eps);
}

/** The exact reverse-mode meta-gradient at the setup's data, without checkpoints. */
function exactMeta(s: ReturnType<typeof setup>, real: RealBatch) {
  const data = { latent: s.latent, decoder: s.decoder, temperature: 1 };
  return farziMetaGradient(s.model, s.names, s.w0, data, real, {
    steps: s.steps,
    hyper,
    method: 'exact',
    checkpointEvery: 0,
  });
}

describe.each(availableEmbeddedBackends())('Farzi meta-gradient on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([
    ['exact', 0, 0],
    ['finite-difference', 0, 0],
    ['exact', 2, 0],
    ['exact', 0, 2],
    ['finite-difference', 0, 1],
  ] as [SecondOrderMethod, number, number][])(
    'reverse-mode Adam (%s, checkpoint every %d, sequence chunk %d) matches a central difference of the whole outer objective',
    (method, checkpointEvery, sequenceChunk) => {
      const s = setup(4);
      const uF = tf.randomNormal(s.latent.shape, 0, 1, 'float32', 21);
      const uM = tf.randomNormal(s.decoder.shape, 0, 1, 'float32', 22);
      const meta = farziMetaGradient(
        s.model,
        s.names,
        s.w0,
        { latent: s.latent, decoder: s.decoder, temperature: 1 },
        s.real,
        {
          steps: s.steps,
          hyper,
          method,
          checkpointEvery,
          sequenceChunk,
        },
      );
      const analytic = directional(meta, uF, uM);
      const numeric = centralDifference(s, uF, uM, s.real);
      expect(Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-6)).toBeLessThan(5e-2);
      expect(meta.drift).toBeLessThan(1e-3);
    },
  );

  it('matches a central difference with the teacher-alignment term in the outer loss', () => {
    const s = setup(3);
    // A teacher's distributions at the 14 real positions (the batch has one padded target).
    const probabilities = tf.softmax(tf.randomNormal([14, V], 0, 2, 'float32', 31)) as tf.Tensor2D;
    const real: RealBatch = { ...s.real, teacher: { probabilities, weight: 0.6 } };
    const uF = tf.randomNormal(s.latent.shape, 0, 1, 'float32', 23);
    const uM = tf.randomNormal(s.decoder.shape, 0, 1, 'float32', 24);
    const data = { latent: s.latent, decoder: s.decoder, temperature: 1 };
    const meta = exactMeta(s, real);
    const numeric = centralDifference(s, uF, uM, real);
    const analytic = directional(meta, uF, uM);
    expect(Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-6)).toBeLessThan(5e-2);
    // The term changes the objective: without it the directional derivative differs.
    const plain = centralDifference(s, uF, uM, s.real);
    expect(Math.abs(plain - numeric)).toBeGreaterThan(1e-3 * Math.abs(numeric));
    expect(meta.loss).toBeCloseTo(
      outerObjective(s.model, s.names, s.w0, data, real, s.steps, hyper),
      4,
    );
  });

  it('weighs the two terms as (1 − λ)·CE(real items) + λ·CE(teacher), padding excluded', () => {
    const s = setup(1);
    const w = s.w0;
    const lossOf = (batch: RealBatch) =>
      tf.tidy(() => realLoss(s.model, s.names, w, batch).dataSync()[0]);
    const observed = lossOf(s.real);
    // A teacher that puts all its mass on the observed items: the same loss whatever λ.
    const positions = realPositions(s.real.targets);
    expect(Array.from(positions.dataSync())).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14,
    ]);
    const oneHot = tf.cast(
      tf.oneHot(tf.gather(tf.reshape(s.real.targets, [-1]), positions), V),
      'float32',
    ) as tf.Tensor2D;
    for (const weight of [0.3, 1])
      expect(lossOf({ ...s.real, teacher: { probabilities: oneHot, weight } })).toBeCloseTo(
        observed,
        5,
      );
    // A uniform teacher: its term is log|V| + mean over real positions of (logsumexp − mean logit).
    const uniform = tf.fill([14, V], 1 / V) as tf.Tensor2D;
    const logits = s.model.apply(
      Object.fromEntries(s.names.map((n, i) => [n, w[i]])),
      s.real.inputs,
      {
        training: false,
      },
    );
    const rows = logits.arraySync() as number[][][];
    const targets = s.real.targets.arraySync();
    let sum = 0;
    let count = 0;
    rows.forEach((row, b) =>
      row.forEach((z, t) => {
        if (targets[b][t] === 0) return; // padding
        const max = Math.max(...z);
        const lse = max + Math.log(z.reduce((a, x) => a + Math.exp(x - max), 0));
        sum += lse - z.reduce((a, x) => a + x, 0) / V;
        count++;
      }),
    );
    const uniformTerm = sum / count;
    expect(lossOf({ ...s.real, teacher: { probabilities: uniform, weight: 0.25 } })).toBeCloseTo(
      0.75 * observed + 0.25 * uniformTerm,
      4,
    );
    tf.dispose([oneHot, uniform, logits, positions]);
  });

  it('matches a central difference with per-position weights on both terms of the outer loss', () => {
    const s = setup(3);
    const weights = tf.tensor1d([3, 0.2, 1, 1, 0.5, 2, 1, 0.1, 1, 4, 1, 0.3, 1, 1]);
    const probabilities = tf.softmax(tf.randomNormal([14, V], 0, 2, 'float32', 32)) as tf.Tensor2D;
    const uF = tf.randomNormal(s.latent.shape, 0, 1, 'float32', 25);
    const uM = tf.randomNormal(s.decoder.shape, 0, 1, 'float32', 26);
    for (const real of [
      { ...s.real, weights },
      { ...s.real, weights, teacher: { probabilities, weight: 0.4 } },
    ] as RealBatch[]) {
      const meta = exactMeta(s, real);
      const numeric = centralDifference(s, uF, uM, real);
      const analytic = directional(meta, uF, uM);
      expect(Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-6)).toBeLessThan(5e-2);
      // The weights change the objective: unweighted, the directional derivative differs.
      const unweighted = centralDifference(s, uF, uM, { ...real, weights: undefined });
      expect(Math.abs(unweighted - numeric)).toBeGreaterThan(1e-2 * Math.abs(numeric));
      tf.dispose([meta.latent, meta.decoder]);
    }
    tf.dispose([weights, probabilities]);
  });

  it('takes the weighted mean of the real positions’ cross-entropies (hand-computed)', () => {
    const s = setup(1);
    const lossOf = (batch: RealBatch) =>
      tf.tidy(() => realLoss(s.model, s.names, s.w0, batch).dataSync()[0]);
    const logits = s.model.apply(
      Object.fromEntries(s.names.map((n, i) => [n, s.w0[i]])),
      s.real.inputs,
      { training: false },
    );
    const targets = s.real.targets.arraySync();
    // −log softmax(z)[target] at each real position, in row-major order (padding skipped).
    const ce: number[] = [];
    (logits.arraySync() as number[][][]).forEach((row, b) =>
      row.forEach((z, t) => {
        if (targets[b][t] === 0) return;
        const max = Math.max(...z);
        const lse = max + Math.log(z.reduce((a, x) => a + Math.exp(x - max), 0));
        ce.push(lse - z[targets[b][t]]);
      }),
    );
    expect(ce).toHaveLength(14);
    const w = [3, 0.2, 1, 1, 0.5, 2, 1, 0.1, 1, 4, 1, 0.3, 1, 1];
    const expected = ce.reduce((a, x, i) => a + w[i] * x, 0) / w.reduce((a, x) => a + x, 0);
    const weights = tf.tensor1d(w);
    expect(lossOf({ ...s.real, weights })).toBeCloseTo(expected, 4);
    // Equal weights give the unweighted loss; one non-zero weight gives that position's loss.
    const ones = tf.ones([14]) as tf.Tensor1D;
    expect(lossOf({ ...s.real, weights: ones })).toBeCloseTo(lossOf(s.real), 5);
    const only = tf.cast(
      tf.reshape(tf.oneHot(tf.tensor1d([9], 'int32'), 14), [14]),
      'float32',
    ) as tf.Tensor1D;
    expect(lossOf({ ...s.real, weights: only })).toBeCloseTo(ce[9], 4);
    tf.dispose([logits, weights, ones, only]);
  });

  // Chunks change only the float summation order, which central differences amplify (÷2r). So
  // does Adam at ε 1e-8: m̂/(√v̂ + ε) on near-zero gradient entries turns float rounding into
  // relative differences of 10⁻⁴–10⁻¹ between any two summation orders (seeds 3–17, composed or
  // fused loss alike); at ε 1e-3 both stay below 5·10⁻⁴ against each other and against unrolled
  // autograd, so the test compares at that ε.
  it.each([
    ['exact', 1e-3],
    ['finite-difference', 1e-2],
  ] as [SecondOrderMethod, number][])(
    'gives the same meta-gradient in chunks of sequences as in one piece (%s, relative error < %p)',
    (method, tolerance) => {
      const s = setup(3);
      const run = (sequenceChunk: number) =>
        farziMetaGradient(
          s.model,
          s.names,
          s.w0,
          { latent: s.latent, decoder: s.decoder, temperature: 1 },
          s.real,
          {
            steps: s.steps,
            hyper: { ...hyper, eps: 1e-3 },
            method,
            checkpointEvery: 0,
            sequenceChunk,
          },
        );
      const whole = run(0);
      for (const chunk of [1, 2]) {
        const parts = run(chunk);
        expect(parts.loss).toBeCloseTo(whole.loss, 5);
        for (const key of ['latent', 'decoder'] as const) {
          const scale = tf.max(tf.abs(whole[key])).dataSync()[0];
          const diff = tf.max(tf.abs(tf.sub(parts[key], whole[key]))).dataSync()[0];
          expect(scale).toBeGreaterThan(1e-4);
          expect(diff / scale).toBeLessThan(tolerance);
        }
        tf.dispose([parts.latent, parts.decoder]);
      }
      tf.dispose([whole.latent, whole.decoder]);
    },
  );

  it('gives dL/dα_t for every inner step that matches central differences (learned schedule, weight decay)', () => {
    const s = setup(4);
    const h: AdamHyper = { ...hyper, weightDecay: 0.1 };
    const schedule = [0.05, 0.03, 0.08, 0.02];
    const data = { latent: s.latent, decoder: s.decoder, temperature: 1 };
    const meta = farziMetaGradient(s.model, s.names, s.w0, data, s.real, {
      steps: s.steps,
      hyper: h,
      learningRates: schedule,
      method: 'exact',
      checkpointEvery: 0,
    });
    const analytic = Array.from((meta.learningRates as tf.Tensor).dataSync());
    expect(analytic).toHaveLength(4);
    const eps = 1e-3;
    schedule.forEach((_, t) => {
      const at = (sign: number) =>
        outerObjective(
          s.model,
          s.names,
          s.w0,
          data,
          s.real,
          s.steps,
          h,
          schedule.map((a, j) => (j === t ? a + sign * eps : a)),
        );
      const numeric = (at(1) - at(-1)) / (2 * eps);
      expect(Math.abs(analytic[t] - numeric)).toBeLessThan(
        5e-2 * Math.max(Math.abs(numeric), 1e-2),
      );
    });
    // The schedule also changes the meta-gradient for F and M: the default (constant) schedule
    // gives a different one.
    const constant = farziMetaGradient(s.model, s.names, s.w0, data, s.real, {
      steps: s.steps,
      hyper: h,
      method: 'exact',
      checkpointEvery: 0,
    });
    expect(constant.loss).not.toBeCloseTo(meta.loss, 4);
    expect(constant.learningRates).toBeUndefined();
    tf.dispose([meta.latent, meta.decoder, meta.learningRates as tf.Tensor]);
    tf.dispose([constant.latent, constant.decoder]);
  });

  it('agrees with unrolled autograd through the same steps', () => {
    const s = setup(3);
    const data = { latent: s.latent, decoder: s.decoder, temperature: 1 };
    const reverse = farziMetaGradient(s.model, s.names, s.w0, data, s.real, {
      steps: 3,
      hyper,
      method: 'exact',
      checkpointEvery: 0,
    });
    const unrolled = unrolledMetaGradient(s.model, s.names, s.w0, data, s.real, 3, hyper);
    expect(reverse.loss).toBeCloseTo(unrolled.loss, 5);
    const rel = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / tf.norm(b).dataSync()[0]);
    expect(rel(reverse.latent, unrolled.latent)).toBeLessThan(1e-2);
    expect(rel(reverse.decoder, unrolled.decoder)).toBeLessThan(1e-2);
  });

  it('agrees with unrolled autograd with a sparse support (distill.support), and differs from the dense one', () => {
    const s = setup(3);
    const data = { latent: s.latent, decoder: s.decoder, temperature: 1, support: 3 };
    const reverse = farziMetaGradient(s.model, s.names, s.w0, data, s.real, {
      steps: 3,
      hyper,
      method: 'exact',
      checkpointEvery: 0,
    });
    const unrolled = unrolledMetaGradient(s.model, s.names, s.w0, data, s.real, 3, hyper);
    expect(reverse.loss).toBeCloseTo(unrolled.loss, 5);
    const rel = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0] / tf.norm(b).dataSync()[0]);
    expect(rel(reverse.latent, unrolled.latent)).toBeLessThan(1e-2);
    expect(rel(reverse.decoder, unrolled.decoder)).toBeLessThan(1e-2);
    // The dense decoding's meta-gradient is another one (the support changes the data).
    const dense = unrolledMetaGradient(
      s.model,
      s.names,
      s.w0,
      { ...data, support: 0 },
      s.real,
      3,
      hyper,
    );
    expect(rel(dense.decoder, unrolled.decoder)).toBeGreaterThan(0.05);
  });
});

describe('reversal drift', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('stays small at T = 20 with the default inner settings (lr 0.01, epsRoot 1e-8), and checkpointing removes it', () => {
    const defaults: AdamHyper = {
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      epsRoot: 1e-8,
      weightDecay: 0,
    };
    const s = setup(20);
    const data = { latent: s.latent, decoder: s.decoder, temperature: 1 };
    const pure = farziMetaGradient(s.model, s.names, s.w0, data, s.real, {
      steps: 20,
      hyper: defaults,
      method: 'exact',
      checkpointEvery: 0,
    });
    const kept = farziMetaGradient(s.model, s.names, s.w0, data, s.real, {
      steps: 20,
      hyper: defaults,
      method: 'exact',
      checkpointEvery: 5,
    });
    // Measured here: ~1e-7 relative (float32 round-off of 20 inverted updates).
    expect(pure.drift).toBeLessThan(1e-4);
    expect(kept.drift).toBe(0);
    const rel = tf.tidy(
      () =>
        tf.norm(tf.sub(pure.latent, kept.latent)).dataSync()[0] /
        tf.norm(kept.latent).dataSync()[0],
    );
    expect(rel).toBeLessThan(1e-2);
  });
});

describe('reverse-mode memory', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('does not grow with T: peak bytes at T = 50 within 10% of T = 5, and no tensors leak', () => {
    const peak = (steps: number) => {
      const s = setup(steps);
      const before = tf.memory().numTensors;
      let max = 0;
      const probe = () => (max = Math.max(max, tf.memory().numBytes));
      const meta = farziMetaGradient(
        s.model,
        s.names,
        s.w0,
        { latent: s.latent, decoder: s.decoder, temperature: 1 },
        s.real,
        {
          steps,
          hyper,
          method: 'exact',
          checkpointEvery: 0,
          onStep: probe,
        },
      );
      tf.dispose([meta.latent, meta.decoder]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([...s.w0, s.latent, s.decoder, s.real.inputs, s.real.targets]);
      return max;
    };
    const small = peak(5);
    const large = peak(50);
    expect(large).toBeLessThan(small * 1.1);
  });
});
