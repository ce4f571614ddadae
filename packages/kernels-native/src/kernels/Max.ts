import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { reduceTrailing } from './Sum';
import type { WasmBackend } from './wasmHeap';

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
      const empty = x.shape.some((n) => n === 0);
      if (!trailing || x.dtype !== 'float32' || empty) return other(tf.Max, args);
      return reduceTrailing(
        blas.maxTrailing,
        args.backend as unknown as WasmBackend,
        x,
        k,
        keepDims,
      );
    },
  };
}
