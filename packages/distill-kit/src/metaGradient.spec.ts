import * as tf from '@tensorflow/tfjs-core';
import { AdamHyper, Model, selectBackend } from '@farzi/core';
import { tinyModel } from '@farzi/core/testing';
import { toList, toParams } from './innerLoop';
import { metaGradient, outerObjective, realLoss, unrolledMetaGradient } from './metaGradient';
import { logitsAt, RealBatch, realPositions } from './realData';
import { tinyFeatureModel } from './testing/featureModel';
import { freeLogitsSequences } from './testing/freeLogits';

// The kit's meta-gradient for a parameterisation that is not Farzi's (free logits per position):
// reverse-mode Adam against unrolled autograd and against central finite differences, chunked or
// not, and without leaking tensors. (Farzi's F·M is checked the same way in distill-farzi.)
const V = 7;
const XI = 5;
const hyper: AdamHyper = {
  learningRate: 0.05,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  epsRoot: 1e-8,
  weightDecay: 0,
};

function setup() {
  const model = tinyModel(V, XI - 1, 4);
  const { names, values: w0 } = toList(model.init(2));
  const logits = tf.randomNormal([3, XI, V], 0, 1, 'float32', 5) as tf.Tensor3D;
  const real: RealBatch = {
    inputs: tf.tensor2d(
      [
        [1, 2, 3, 4],
        [0, 5, 6, 1],
      ],
      undefined,
      'int32',
    ),
    targets: tf.tensor2d(
      [
        [2, 3, 4, 5],
        [5, 6, 1, 2],
      ],
      undefined,
      'int32',
    ),
  };
  return { model, names, w0, logits, real };
}

describe('the meta-gradient of any SoftSequences (free logits)', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('equals unrolled autograd and a central finite difference, in one chunk or several', () => {
    const s = setup();
    const steps = 4;
    const sequences = freeLogitsSequences(s.logits);
    const unrolled = unrolledMetaGradient(s.model, s.names, s.w0, sequences, s.real, steps, hyper);
    const u = tf.randomNormal(s.logits.shape, 0, 1, 'float32', 9);
    const along = (g: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(g, u)).dataSync()[0]);
    const reference = along(unrolled.grads.logits);
    for (const sequenceChunk of [0, 1]) {
      const meta = metaGradient(s.model, s.names, s.w0, sequences, s.real, {
        steps,
        hyper,
        method: 'exact',
        checkpointEvery: 0,
        sequenceChunk,
      });
      expect(meta.loss).toBeCloseTo(unrolled.loss, 5);
      expect(Math.abs(along(meta.grads.logits) - reference)).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(reference)),
      );
      tf.dispose(Object.values(meta.grads));
    }
    const eps = 3e-3;
    const at = (sign: number) =>
      tf.tidy(() => {
        const moved = tf.add(s.logits, tf.mul(u, sign * eps)) as tf.Tensor3D;
        return outerObjective(
          s.model,
          s.names,
          s.w0,
          freeLogitsSequences(moved),
          s.real,
          steps,
          hyper,
        );
      });
    const fd = (at(1) - at(-1)) / (2 * eps);
    expect(Math.abs(fd - reference)).toBeLessThan(
      2e-2 * Math.max(1e-3, Math.abs(reference)) + 1e-4,
    );
    tf.dispose([...Object.values(unrolled.grads), u]);
  });

  it('keeps no tensor: what it returns is all that is left', () => {
    const s = setup();
    const before = tf.memory().numTensors;
    const meta = metaGradient(s.model, s.names, s.w0, freeLogitsSequences(s.logits), s.real, {
      steps: 3,
      hyper,
      method: 'exact',
      checkpointEvery: 0,
    });
    expect(tf.memory().numTensors).toBe(before + 1); // dL/dlogits
    tf.dispose(Object.values(meta.grads));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('differentiates the feature-alignment term too (a teacher’s hidden states at the real positions)', () => {
    const s = setup();
    const model = tinyFeatureModel(V, XI - 1, 4);
    const { names, values: w0 } = toList(model.init(2));
    const teacher = model.init(40);
    const positions = realPositions(s.real.targets);
    const hidden = tf.tidy(() => {
      const h = (model.hiddenStates as NonNullable<typeof model.hiddenStates>)(
        teacher,
        s.real.inputs,
        {
          training: false,
        },
      );
      return tf.gather(tf.reshape(h, [-1, 4]), positions) as tf.Tensor2D;
    });
    const real: RealBatch = { ...s.real, features: { hidden, weight: 2 } };
    const sequences = freeLogitsSequences(s.logits);
    const steps = 3;
    // The term changes the objective (it is not silently ignored) ...
    const plain = outerObjective(model, names, w0, sequences, s.real, steps, hyper);
    const withFeatures = outerObjective(model, names, w0, sequences, real, steps, hyper);
    expect(withFeatures).toBeGreaterThan(plain);
    // ... and the reverse pass differentiates it as unrolled autograd and finite differences do.
    const unrolled = unrolledMetaGradient(model, names, w0, sequences, real, steps, hyper);
    const meta = metaGradient(model, names, w0, sequences, real, {
      steps,
      hyper,
      method: 'exact',
      checkpointEvery: 0,
    });
    const u = tf.randomNormal(s.logits.shape, 0, 1, 'float32', 13);
    const along = (g: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(g, u)).dataSync()[0]);
    const reference = along(unrolled.grads.logits);
    expect(Math.abs(along(meta.grads.logits) - reference)).toBeLessThan(
      1e-4 * Math.max(1, Math.abs(reference)),
    );
    // The outer loss is sharply curved along u: the central difference converges as the radius
    // shrinks (0.257, 0.330, 0.338, 0.3393 at 1e-2 … 3e-4 against 0.3393 here).
    const eps = 3e-4;
    const at = (sign: number) =>
      tf.tidy(() => {
        const moved = tf.add(s.logits, tf.mul(u, sign * eps)) as tf.Tensor3D;
        return outerObjective(model, names, w0, freeLogitsSequences(moved), real, steps, hyper);
      });
    const fd = (at(1) - at(-1)) / (2 * eps);
    expect(Math.abs(fd - reference)).toBeLessThan(
      2e-2 * Math.max(1e-3, Math.abs(reference)) + 1e-4,
    );
    tf.dispose([
      hidden,
      positions,
      u,
      ...Object.values(meta.grads),
      ...Object.values(unrolled.grads),
    ]);
    tf.dispose(Object.values(teacher));
  });

  it('scores only the real positions of a model with an output layer, as the dense path does', () => {
    const model = tinyFeatureModel(V, XI - 1, 4);
    const dense: Model = { ...model, outputLayer: undefined };
    const { names, values: w } = toList(model.init(3));
    // Left padding: three of the eight positions have no target.
    const padded = {
      inputs: tf.tensor2d(
        [
          [0, 0, 1, 2],
          [3, 4, 5, 6],
        ],
        undefined,
        'int32',
      ),
      targets: tf.tensor2d(
        [
          [0, 0, 2, 3],
          [0, 5, 6, 1],
        ],
        undefined,
        'int32',
      ),
    };
    const positions = realPositions(padded.targets);
    expect(Array.from(positions.dataSync())).toEqual([2, 3, 5, 6, 7]);
    const fast = logitsAt(model, toParams(names, w), padded.inputs, positions);
    const all = logitsAt(dense, toParams(names, w), padded.inputs, positions);
    expect(fast.shape).toEqual([5, V]);
    expect(Math.max(...tf.abs(tf.sub(fast, all)).dataSync())).toBeLessThan(1e-6);
    const probabilities = tf.softmax(tf.randomNormal([5, V], 0, 1, 'float32', 4)) as tf.Tensor2D;
    const weights = tf.tensor1d([0.5, 1, 1.5, 1, 1]);
    const batches: RealBatch[] = [
      padded,
      { ...padded, teacher: { probabilities, weight: 0.5 } },
      { ...padded, teacher: { probabilities, weight: 0.5 }, weights },
    ];
    for (const real of batches) {
      const at = (m: Model) =>
        tf.valueAndGrads((...ws: tf.Tensor[]) => realLoss(m, names, ws, real))(w);
      const a = at(model);
      const b = at(dense);
      expect(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0])).toBeLessThan(1e-6);
      a.grads.forEach((g, i) =>
        expect(Math.max(...tf.abs(tf.sub(g, b.grads[i])).dataSync())).toBeLessThan(1e-6),
      );
      tf.dispose([a.value, b.value, ...a.grads, ...b.grads]);
    }
    tf.dispose([fast, all, probabilities, weights, positions, padded.inputs, padded.targets, ...w]);
  });

  it('says which model lacks hidden states when feature alignment is asked of it', () => {
    const s = setup();
    const real: RealBatch = {
      ...s.real,
      features: { hidden: tf.zeros([8, 4]) as tf.Tensor2D, weight: 1 },
    };
    expect(() =>
      outerObjective(s.model, s.names, s.w0, freeLogitsSequences(s.logits), real, 1, hyper),
    ).toThrow(/feature alignment needs the model's hidden states, and the tiny model/);
  });
});
