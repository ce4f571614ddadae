import * as tf from '@tensorflow/tfjs-core';
import { availableEmbeddedBackends } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import type { Model, Params } from '../model/Model';
import { crossEntropy } from '../ops/losses';
import { Rng } from '../random/Rng';
import { NegativeProposal, nextItemLoss } from './outputLoss';

// A linear next-item model: the state at a position is its item's row of `emb`, the logits are the
// state against the rows of `out` (plus a bias, to cover it too).
const V = 7;
const d = 3;
const linear: Model = {
  name: 'linear',
  vocabSize: V,
  maxLength: 4,
  hyperParameters: {},
  parameterCount: () => 2 * V * d + V,
  init: (seed) => ({
    emb: tf.randomNormal([V, d], 0, 1, 'float32', seed),
    out: tf.randomNormal([V, d], 0, 1, 'float32', seed + 1),
    bias: tf.randomNormal([V], 0, 0.5, 'float32', seed + 2),
  }),
  hiddenStates: (p, input) => tf.gather(p.emb, tf.cast(input, 'int32')) as tf.Tensor3D,
  outputLayer: (p) => ({ weights: p.out as tf.Tensor2D, itemAxis: 0, bias: p.bias as tf.Tensor1D }),
  apply: (p, input) =>
    tf.tidy(() => {
      const h = tf.gather(p.emb, tf.cast(input, 'int32'));
      const [b, l] = input.shape;
      const z = tf.add(tf.matMul(tf.reshape(h, [b * l, d]), p.out, false, true), p.bias);
      return tf.reshape(z, [b, l, V]);
    }) as tf.Tensor3D,
};
const inputs = () =>
  tf.tensor2d(
    [
      [0, 1, 2, 3],
      [0, 0, 4, 5],
    ],
    undefined,
    'int32',
  );
const targets = () =>
  tf.tensor2d(
    [
      [0, 2, 3, 4],
      [0, 0, 5, 6],
    ],
    undefined,
    'int32',
  );

function gradients(params: Params, loss: (p: Params) => tf.Scalar): tf.Tensor {
  const names = Object.keys(params);
  return tf.tidy(() => {
    const g = tf.grads((...ts: tf.Tensor[]) => {
      const p: Params = {};
      names.forEach((n, i) => (p[n] = ts[i]));
      return loss(p);
    })(names.map((n) => params[n]));
    return tf.concat(g.map((t) => tf.reshape(t, [-1])));
  });
}

/** Relative distance between the mean sampled-softmax gradient over `draws` seeds and the full one. */
function expectedGradientError(proposal: NegativeProposal, draws: number): number {
  const params = linear.init(3);
  const full = gradients(params, (p) =>
    nextItemLoss(linear, p, inputs(), targets(), { training: false }),
  );
  let sum = tf.zerosLike(full);
  for (let s = 0; s < draws; s++) {
    const g = gradients(params, (p) =>
      nextItemLoss(linear, p, inputs(), targets(), { training: true, seed: s }, proposal),
    );
    const next = tf.add(sum, g);
    tf.dispose([sum, g]);
    sum = next;
  }
  const error = tf.tidy(
    () => tf.norm(tf.sub(tf.div(sum, draws), full)).dataSync()[0] / tf.norm(full).dataSync()[0],
  );
  tf.dispose([sum, full, ...Object.values(params)]);
  return error;
}

describe.each(availableEmbeddedBackends())('next-item loss on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('full softmax at target positions equals the dense cross-entropy (a bias included)', () => {
    const params = linear.init(1);
    const fast = nextItemLoss(linear, params, inputs(), targets(), { training: false });
    const dense = crossEntropy(linear.apply(params, inputs(), { training: false }), targets());
    expect(fast.dataSync()[0]).toBeCloseTo(dense.dataSync()[0], 5);
    tf.dispose([fast, dense, ...Object.values(params)]);
  });

  it("sampled softmax's expected gradient approaches the full softmax's as negatives grow", () => {
    const uniformMany = expectedGradientError(NegativeProposal.uniform(V, 400), 30);
    const uniformFew = expectedGradientError(NegativeProposal.uniform(V, 2), 30);
    const popular = expectedGradientError(
      NegativeProposal.popularity([Int32Array.from([1, 2, 2, 2, 3, 6, 6])], V, 400),
      30,
    );
    expect(uniformMany).toBeLessThan(0.05);
    expect(popular).toBeLessThan(0.05); // the log q correction removes the proposal's bias
    expect(uniformFew).toBeGreaterThan(2 * uniformMany); // few negatives: a visibly biased estimate
  });

  it('removes accidental hits and never draws padding', () => {
    const proposal = NegativeProposal.uniform(V, 50);
    const { items, logCountQ } = proposal.sample(new Rng(1));
    expect(Math.min(...items)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...items)).toBeLessThan(V);
    expect(logCountQ[0]).toBeCloseTo(Math.log(50 / (V - 1)), 5);
    // Only the target among the candidates: the loss is exactly 0 (its hits are removed).
    const one = nextItemLoss(
      linear,
      linear.init(2),
      tf.tensor2d([[1]], undefined, 'int32'),
      tf.tensor2d([[2]], undefined, 'int32'),
      { training: true, seed: 1 },
      new NegativeProposal([0, 0, 1, 0, 0, 0, 0], 5, 'only item 2'),
    );
    expect(one.dataSync()[0]).toBeCloseTo(0, 6);
  });
});
