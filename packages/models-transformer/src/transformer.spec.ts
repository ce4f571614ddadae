import * as tf from '@tensorflow/tfjs-core';
import {
  createOptimizer,
  optimizerConfig,
  selectBackend,
  sequenceSource,
  Trainer,
} from '@farzi/core';
import { CONTRACT_SIZES, describeModelContract } from '@farzi/core/testing';
import { transformerFactory } from './transformerModule';

const { vocabSize: V, maxLength: L } = CONTRACT_SIZES;
const make = (overrides: Record<string, unknown> = {}) =>
  transformerFactory.create(
    { hiddenSize: 8, layers: 2, heads: 2, ffMultiplier: 2, dropout: 0, initStd: 0.3, ...overrides },
    { vocabSize: V, maxLength: L },
  );

// The contract every model keeps (soft inputs, causality, dropout, HVPs, fast paths, padding).
describeModelContract('Transformer', {
  make,
  dropout: { dropout: 0.3 },
  small: { hiddenSize: 4, layers: 1, heads: 2 },
});

describe('Transformer size', () => {
  it('has the parameter count of its formula', () => {
    const model = make({ hiddenSize: 6, layers: 3, heads: 3, ffMultiplier: 4 });
    // per block: attention 4·36+4·6, two layer norms 4·6, MLP 6·24+24+24·6+6
    expect(model.parameterCount()).toBe(
      V * 6 + L * 6 + 3 * (4 * 36 + 24 + 24 + 144 + 24 + 144 + 6) + 12,
    );
  });
});

describe('Transformer training', () => {
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
