import * as tf from '@tensorflow/tfjs-core';
import {
  createOptimizer,
  optimizerConfig,
  selectBackend,
  sequenceSource,
  Trainer,
} from '@farzi/core';
import { CONTRACT_SIZES, describeModelContract } from '@farzi/core/testing';
import { gru4recFactory } from './gru4recModule';

const { vocabSize: V, maxLength: L } = CONTRACT_SIZES;
const make = (overrides: Record<string, unknown> = {}) =>
  gru4recFactory.create(
    {
      embeddingSize: 6,
      hiddenSize: 8,
      layers: 2,
      dropout: 0,
      embeddingDropout: 0,
      initStd: 0.3,
      ...overrides,
    },
    { vocabSize: V, maxLength: L },
  );

// The contract every model keeps (soft inputs, causality, dropout, HVPs, fast paths, padding).
describeModelContract('GRU4Rec', {
  make,
  dropout: { dropout: 0.3, embeddingDropout: 0.2 },
  small: { embeddingSize: 3, hiddenSize: 4, layers: 1 },
});

describe('GRU4Rec size', () => {
  it('has the parameter count of its formula', () => {
    const model = make({ embeddingSize: 5, hiddenSize: 7, layers: 2 });
    expect(model.parameterCount()).toBe(
      V * 5 + 7 * V + V + (5 * 21 + 7 * 21 + 21) + (7 * 21 + 7 * 21 + 21),
    );
  });
});

describe('GRU4Rec training', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('overfits a tiny data set', async () => {
    const seqs = Array.from({ length: 8 }, (_, u) =>
      Int32Array.from({ length: 7 }, (_, t) => ((u * 3 + t * (1 + (u % 2))) % 12) + 1),
    );
    const model = make();
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
    expect(losses[losses.length - 1]).toBeLessThan(0.3 * losses[0]);
    tf.dispose(Object.values(result.params));
  });
});
