import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { sizeOf, offsetOf, type WasmBackend } from './wasmHeap';

/**
 * Bias gradients reduce [B·L, d] over the leading axis; the built-in transposes first.
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
      const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
      if (!leading || x.dtype !== 'float32') return other(tf.Sum, args);
      const rows = sizeOf(x.shape.slice(0, k));
      const inner = sizeOf(x.shape.slice(k));
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(
        keepDims ? x.shape.map((s, i) => (i < k ? 1 : s)) : x.shape.slice(k),
        'float32',
      );
      if (inner > 0) {
        blas.sumLeading(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
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
