/// <reference types="jest" />
import * as tf from '@tensorflow/tfjs-core';
import { availableEmbeddedBackends } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import {
  causalityViolation,
  countParameters,
  hessianVectorProductError,
  leftPaddingDifference,
  outputLayerPathDifference,
  softVersusIdDifference,
} from '../model/contractChecks';
import type { Model } from '../model/Model';

/** How a model package's spec describes its model to the shared contract suite. */
export interface ModelContract {
  /** Builds the model under test with small hyper-parameters (overrides on top). */
  make(overrides?: Record<string, unknown>): Model;
  /** Hyper-parameters that switch dropout on (to check it depends only on the seed). */
  dropout: Record<string, unknown>;
  /** A smaller model for the finite-difference Hessian-vector check (it is the slow one). */
  small: Record<string, unknown>;
}

const V = 13;
const L = 6;
/** Three left-padded sequences over 13 items, length 6, and their next-item targets. */
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
const targets = () =>
  tf.tensor2d(
    [
      [0, 0, 5, 7, 2, 0],
      [4, 4, 9, 12, 6, 3],
      [0, 0, 0, 0, 11, 2],
    ],
    undefined,
    'int32',
  );

/** The vocabulary and length every contract model is built for. */
export const CONTRACT_SIZES = { vocabSize: V, maxLength: L } as const;

/**
 * The contract every model keeps, on every embedded backend: soft (one-hot) inputs give the id
 * logits, outputs are causal, the parameter count is the model's own, dropout depends only on the
 * seed, Hessian-vector products match finite differences, the output-layer fast path equals the
 * dense path, and a model that claims left-padding invariance has it (one that does not, does not).
 * Call it from the model package's spec: `describeModelContract('SASRec', { make, … })`.
 */
export function describeModelContract(label: string, contract: ModelContract): void {
  const { make } = contract;
  describe.each(availableEmbeddedBackends())(`${label} contract on %s`, (backend) => {
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

    it('counts its parameters as it builds them and returns [B, L, V] logits', () => {
      const model = make();
      const params = model.init(3);
      expect(countParameters(params)).toBe(model.parameterCount());
      expect(model.apply(params, ids(), { training: false }).shape).toEqual([3, L, V]);
    });

    it('is deterministic with dropout off, and dropout depends only on the seed', () => {
      const model = make(contract.dropout);
      const params = model.init(4);
      const a = model.apply(params, ids(), { training: false }).dataSync();
      expect(model.apply(params, ids(), { training: false }).dataSync()).toEqual(a);
      const s1 = model.apply(params, ids(), { training: true, seed: 5 }).dataSync();
      expect(model.apply(params, ids(), { training: true, seed: 5 }).dataSync()).toEqual(s1);
      expect(model.apply(params, ids(), { training: true, seed: 6 }).dataSync()).not.toEqual(s1);
    });

    it('Hessian-vector products of the training loss match finite differences', () => {
      const model = make(contract.small);
      const full = tf.tensor2d(
        [
          [0, 3, 5, 7, 2, 1],
          [4, 4, 9, 12, 6, 3],
          [0, 0, 0, 8, 11, 2],
        ],
        undefined,
        'int32',
      );
      expect(hessianVectorProductError(model, model.init(5), ids(), full)).toBeLessThan(1e-2);
    });

    it('keeps outputs at real positions under any left padding exactly when it claims to', () => {
      const model = make();
      const short = tf.tensor2d(
        [
          [0, 3, 5, 7],
          [4, 9, 12, 6],
        ],
        undefined,
        'int32',
      );
      const difference = leftPaddingDifference(model, model.init(7), short, 2);
      if (model.leftPaddingInvariant) expect(difference).toBeLessThan(1e-5);
      else expect(difference).toBeGreaterThan(1e-3);
    });

    it('computes logits only where a target exists: loss, gradients and last-position scores equal the dense path', () => {
      const model = make(contract.dropout);
      const diff = outputLayerPathDifference(model, model.init(6), ids(), targets());
      expect(diff.loss).toBeLessThan(1e-5);
      expect(diff.gradients).toBeLessThan(1e-4);
      expect(diff.lastScores).toBeLessThan(1e-5);
    });
  });
}
