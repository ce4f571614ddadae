import * as tf from '@tensorflow/tfjs-core';
import {
  createOptimizer,
  optimizerConfig,
  selectBackend,
  sequenceSource,
  Trainer,
} from '@farzi/core';
import { CONTRACT_SIZES, describeModelContract } from '@farzi/core/testing';
import { sasrecFactory } from './sasrecModule';

const { vocabSize: V, maxLength: L } = CONTRACT_SIZES;
const make = (overrides: Record<string, unknown> = {}) =>
  sasrecFactory.create(
    { hiddenSize: 8, blocks: 2, heads: 2, dropout: 0, loss: 'softmax', initStd: 0.3, ...overrides },
    { vocabSize: V, maxLength: L },
  );

// The contract every model keeps (soft inputs, causality, dropout, HVPs, fast paths, padding).
describeModelContract('SASRec', {
  make,
  dropout: { dropout: 0.3 },
  small: { hiddenSize: 4, blocks: 1, heads: 2 },
});

describe('SASRec size', () => {
  it('has the parameter count of its formula', () => {
    const model = make({ hiddenSize: 12, blocks: 3, heads: 3 });
    expect(model.parameterCount()).toBe(V * 12 + L * 12 + 3 * (6 * 144 + 120) + 24);
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
