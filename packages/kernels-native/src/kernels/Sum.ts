import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { sizeOf, offsetOf, type WasmBackend, heapWith } from './wasmHeap';

/**
 * Bias gradients reduce [B·L, d] over the leading axis (the built-in transposes first); softmax
 * and cross-entropy reduce [N, |V|] over the last one (the built-in is a scalar loop).
 */
export function sumKernel(blas: NativeBlas, other: Fallback): tf.KernelConfig {
  return {
    kernelName: tf.Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as {
        axis: number | number[];
        keepDims: boolean;
      };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
      const k = axes.length;
      const rank = x.shape.length;
      const leading = k > 0 && k < rank && axes.every((a, i) => a === i);
      const trailing = k > 0 && k < rank && axes.every((a, i) => a === rank - k + i);
      if ((!leading && !trailing) || x.dtype !== 'float32') return other(tf.Sum, args);
      if (!leading) {
        const backend = args.backend as unknown as WasmBackend;
        return reduceTrailing(blas.sumTrailing, backend, x, k, keepDims);
      }
      const rows = sizeOf(x.shape.slice(0, k));
      const inner = sizeOf(x.shape.slice(k));
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(
        keepDims ? x.shape.map((s, i) => (i < k ? 1 : s)) : x.shape.slice(k),
        'float32',
      );
      if (inner > 0) {
        blas.sumLeading(
          heapWith(backend, x, out),
          offsetOf(backend, x),
          offsetOf(backend, out),
          rows,
          inner,
        );
      }
      return out;
    },
  };
}

/**
 * A reduction of `x` over its last `k` axes with one of the addon's row reducers (`sumTrailing`,
 * `maxTrailing`): float32 output of the kept axes (with size-1 axes for the reduced ones when
 * `keepDims`).
 */
export function reduceTrailing(
  reduce: NativeBlas['sumTrailing'],
  backend: WasmBackend,
  x: tf.TensorInfo,
  k: number,
  keepDims: boolean,
): tf.TensorInfo {
  const kept = x.shape.length - k;
  const rows = sizeOf(x.shape.slice(0, kept));
  const cols = sizeOf(x.shape.slice(kept));
  const out = backend.makeOutput(
    keepDims ? x.shape.map((s, i) => (i < kept ? s : 1)) : x.shape.slice(0, kept),
    'float32',
  );
  if (rows > 0 && cols > 0) {
    reduce(heapWith(backend, x, out), offsetOf(backend, x), offsetOf(backend, out), rows, cols);
  }
  return out;
}
