import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { heapWith, offsetOf, sizeOf, type WasmBackend } from './wasmHeap';

/** The hyper-parameters every Adam kernel takes as attributes (t: the step, from 1). */
export interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  eps: number;
  epsRoot: number;
  weightDecay: number;
  t: number;
}

/** The addon's modes (native/adamExact.c). */
export const MODE = { update: 0, adjoint: 1, restore: 2 } as const;

/**
 * The float32 constants of each mode, computed in double precision exactly as the composed ops in
 * @farzi/core compute the scalars they pass (a scalar tensor then rounds each to float32).
 */
export function scalarsOf(mode: number, h: AdamAttrs): Float64Array {
  const c1 = 1 - Math.pow(h.beta1, h.t);
  const c2 = 1 - Math.pow(h.beta2, h.t);
  const decay = 1 - h.learningRate * h.weightDecay;
  if (mode === MODE.update) {
    return Float64Array.of(
      h.beta1,
      1 - h.beta1,
      h.beta2,
      1 - h.beta2,
      c1,
      c2,
      h.epsRoot,
      h.eps,
      h.weightDecay,
      h.learningRate,
      h.epsRoot > 0 ? 1 : 0,
      h.weightDecay > 0 ? 1 : 0,
    );
  }
  if (mode === MODE.adjoint) {
    return Float64Array.of(
      c1,
      c2,
      h.epsRoot,
      h.eps,
      h.learningRate,
      decay,
      h.weightDecay,
      -h.learningRate / c1,
      h.learningRate / (2 * c2),
      1e-20,
    );
  }
  return Float64Array.of(1 - h.beta1, h.beta1, 1 - h.beta2, h.beta2, decay);
}

/**
 * A kernel of the wasm-native backend running one mode of the addon's `adamExact` over its named
 * float32 inputs (all of one shape), with `outputs` outputs of that shape.
 */
export function adamExactKernel(
  blas: NativeBlas,
  kernelName: string,
  mode: number,
  inputNames: readonly string[],
  outputs: number,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const named = args.inputs as Record<string, tf.TensorInfo>;
      const inputs = inputNames.map((name) => {
        const t = named[name];
        if (!t) throw new Error(`${kernelName}: missing input ${name}`);
        return t;
      });
      const shape = inputs[0].shape;
      inputs.forEach((t, i) => {
        if (t.dtype !== 'float32' || t.shape.join() !== shape.join()) {
          throw new Error(
            `${kernelName}: ${inputNames[i]} must be float32 [${shape}] like ${inputNames[0]}, got ${t.dtype} [${t.shape}]`,
          );
        }
      });
      const backend = args.backend as unknown as WasmBackend;
      const outs = Array.from({ length: outputs }, () => backend.makeOutput(shape, 'float32'));
      const n = sizeOf(shape);
      if (n > 0) {
        const all = [...inputs, ...outs];
        const buffer = heapWith(backend, ...all);
        const offsets = Float64Array.from(all.map((t) => offsetOf(backend, t)));
        const attrs = args.attrs as unknown as AdamAttrs;
        blas.adamExact(buffer, mode, offsets, n, scalarsOf(mode, attrs));
      }
      return outs;
    },
  };
}
