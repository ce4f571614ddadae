import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { LAYER_NORM } from '../kernelNames';
import { offsetOf, checkLayerNormOperands, type WasmBackend, heapWith } from './wasmHeap';

/** The `LayerNorm` kernel of the wasm-native backend. */
export function layerNormKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: LAYER_NORM,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, gain, bias } = args.inputs as Record<string, tf.TensorInfo>;
      const { epsilon } = args.attrs as unknown as { epsilon: number };
      const [rows, d] = checkLayerNormOperands(LAYER_NORM, x, gain, bias);
      const backend = args.backend as unknown as WasmBackend;
      const y = backend.makeOutput(x.shape, 'float32');
      const mean = backend.makeOutput([rows], 'float32');
      const rstd = backend.makeOutput([rows], 'float32');
      if (rows > 0) {
        blas.layerNorm(
          heapWith(backend, x, gain, bias, y, mean, rstd),
          offsetOf(backend, x),
          offsetOf(backend, gain),
          offsetOf(backend, bias),
          offsetOf(backend, y),
          offsetOf(backend, mean),
          offsetOf(backend, rstd),
          rows,
          d,
          epsilon,
        );
      }
      return [y, mean, rstd];
    },
  };
}
