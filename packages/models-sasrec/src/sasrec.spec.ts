import * as tf from '@tensorflow/tfjs';
import {
  availableEmbeddedBackends,
  causalityViolation,
  countParameters,
  createOptimizer,
  hessianVectorProductError,
  outputLayerPathDifference,
  leftPaddingDifference,
  optimizerConfig,
  selectBackend,
  sequenceSource,
  softVersusIdDifference,
  Trainer,
} from '@farzi/core';
import { sasrecFactory } from './sasrecModule';

const V = 13;
const L = 6;
const make = (overrides: Record<string, unknown> = {}) =>
  sasrecFactory.create(
    { hiddenSize: 8, blocks: 2, heads: 2, dropout: 0, loss: 'softmax', initStd: 0.3, ...overrides },
    { vocabSize: V, maxLength: L },
  );
const ids = () =>
  tf.tensor2d(
    [
      [0, 0, 3, 5, 7, 2],
      [1, 4, 4, 9, 12, 6],
      [0, 0, 0, 0, 8, 11],
    ],
    undefined,
    'int32',
  );

describe.each(availableEmbeddedBackends())('SASRec on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('gives the same logits for one-hot soft input as for ids', () => {
    const model = make();
    expect(softVersusIdDifference(model, model.init(1), ids())).toBeLessThan(1e-5);
  });

  it('is causal: changing position t leaves earlier logits unchanged', () => {
    const model = make();
    const params = model.init(2);
    for (const t of [2, 4, 5]) expect(causalityViolation(model, params, ids(), t)).toBe(0);
  });

  it('has the parameter count of its formula and returns [B, L, V] logits', () => {
    const model = make({ hiddenSize: 12, blocks: 3, heads: 3 });
    const params = model.init(3);
    expect(countParameters(params)).toBe(model.parameterCount());
    expect(model.parameterCount()).toBe(V * 12 + L * 12 + 3 * (6 * 144 + 120) + 24);
    expect(model.apply(params, ids(), { training: false }).shape).toEqual([3, L, V]);
  });

  it('is deterministic with dropout off, and dropout depends only on the seed', () => {
    const model = make({ dropout: 0.3 });
    const params = model.init(4);
    const a = model.apply(params, ids(), { training: false }).dataSync();
    expect(model.apply(params, ids(), { training: false }).dataSync()).toEqual(a);
    const s1 = model.apply(params, ids(), { training: true, seed: 5 }).dataSync();
    expect(model.apply(params, ids(), { training: true, seed: 5 }).dataSync()).toEqual(s1);
    expect(model.apply(params, ids(), { training: true, seed: 6 }).dataSync()).not.toEqual(s1);
  });

  it('Hessian-vector products of the training loss match finite differences', () => {
    const model = make({ hiddenSize: 4, blocks: 1, heads: 2 });
    const targets = tf.tensor2d(
      [
        [0, 3, 5, 7, 2, 1],
        [4, 4, 9, 12, 6, 3],
        [0, 0, 0, 8, 11, 2],
      ],
      undefined,
      'int32',
    );
    expect(hessianVectorProductError(model, model.init(5), ids(), targets)).toBeLessThan(1e-2);
  });
  it('gives the same outputs at real positions whatever the left padding (batches may be trimmed)', () => {
    const model = make();
    const short = tf.tensor2d(
      [
        [0, 3, 5, 7],
        [4, 9, 12, 6],
      ],
      undefined,
      'int32',
    );
    expect(model.leftPaddingInvariant).toBe(true);
    expect(leftPaddingDifference(model, model.init(7), short, 2)).toBeLessThan(1e-5);
  });

  it('computes logits only where a target exists: loss, gradients and last-position scores equal the dense path', () => {
    const model = make({ dropout: 0.3 });
    const targets = tf.tensor2d(
      [
        [0, 0, 5, 7, 2, 0],
        [4, 4, 9, 12, 6, 3],
        [0, 0, 0, 0, 11, 2],
      ],
      undefined,
      'int32',
    );
    const diff = outputLayerPathDifference(model, model.init(6), ids(), targets);
    expect(diff.loss).toBeLessThan(1e-5);
    expect(diff.gradients).toBeLessThan(1e-4);
    expect(diff.lastScores).toBeLessThan(1e-5);
  });
});

describe('SASRec training', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(['softmax', 'bce'])('overfits a tiny data set with the %s loss', async (loss) => {
    const seqs = Array.from({ length: 8 }, (_, u) =>
      Int32Array.from({ length: 7 }, (_, t) => ((u * 3 + t * (1 + (u % 2))) % 12) + 1),
    );
    const model = make({ loss });
    const losses: number[] = [];
    const result = await new Trainer({
      model,
      source: sequenceSource('tiny', seqs, L, false),
      optimizer: createOptimizer(optimizerConfig(), 0.02),
      epochs: 60,
      batchSize: 8,
      seed: 1,
      onProgress: (e) => e.type === 'epoch' && losses.push(e.loss),
    }).run();
    // The sampled-negative loss stays noisy; the full softmax one falls further.
    expect(losses[losses.length - 1]).toBeLessThan((loss === 'bce' ? 0.55 : 0.3) * losses[0]);
    tf.dispose(Object.values(result.params));
  });
});
