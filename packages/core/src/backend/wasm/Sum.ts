import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './GatherV2';

/**
 * `Sum` for the wasm backend when the reduced axes are the leading ones (bias gradients: [B·L, d]
 * → [d], [B, L, d] → [d]): one pass of column sums over the wasm memory, accumulated in float64.
 * The built-in transposes the input first (~1.5 ms per [6400 × 50]). Other reductions go to the
 * kernel registered before.
 */
export function leadingAxesSumWasmConfig(previous: tf.KernelConfig): tf.KernelConfig {
  return {
    ...previous, // keeps its setupFunc (wasm function bindings)
    kernelName: tf.Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as {
        axis: number | number[];
        keepDims: boolean;
      };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const k = axes.length;
      const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
      if (!leading || x.dtype !== 'float32') return previous.kernelFunc(args);
      const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
      const inner = tf.util.sizeFromShape(x.shape.slice(k));
      const shape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
      const wasm = args.backend as unknown as WasmHeapBackend & {
        typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
      };
      const out = wasm.makeOutput(shape, 'float32');
      const acc = new Float64Array(inner);
      const values = wasm.typedArrayFromHeap(x); // after makeOutput: the memory may have grown
      for (let r = 0; r < rows; r++) {
        const base = r * inner;
        for (let j = 0; j < inner; j++) acc[j] += values[base + j];
      }
      wasm.typedArrayFromHeap(out).set(acc);
      return out;
    },
  };
}
