import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { sizeOf, offsetOf, type WasmBackend, heapWith } from './wasmHeap';

/**
 * Max over the last axes (the softmaxes' row maximum, over attention scores and the vocabulary):
 * the built-in is a scalar loop per row (~1 ms for [128, 50, 50]); this one runs vectorised over
 * two threads. Other axes and dtypes go to the built-in.
 */
export function maxKernel(blas: NativeBlas, other: Fallback): tf.KernelConfig {
  return {
    kernelName: tf.Max,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { reductionIndices, keepDims } = args.attrs as unknown as tf.MaxAttrs;
      const axes = tf.util.parseAxisParam(reductionIndices, x.shape).sort((p, q) => p - q);
      const k = axes.length;
      const rank = x.shape.length;
      const trailing = k > 0 && k < rank && axes.every((a, i) => a === rank - k + i);
      const kept = rank - k;
      const rows = sizeOf(x.shape.slice(0, kept));
      const cols = sizeOf(x.shape.slice(kept));
      if (!trailing || x.dtype !== 'float32' || rows === 0 || cols === 0) {
        return other(tf.Max, args);
      }
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(
        keepDims ? x.shape.map((s, i) => (i < kept ? s : 1)) : x.shape.slice(0, kept),
        'float32',
      );
      blas.maxTrailing(
        heapWith(backend, x, out),
        offsetOf(backend, x),
        offsetOf(backend, out),
        rows,
        cols,
      );
      return out;
    },
  };
}
