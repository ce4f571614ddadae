import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { LAYER_NORM_GRAD } from '../kernelNames';
import {
  checkLayerNormOperands,
  checkShapes,
  heapWith,
  offsetOf,
  type WasmBackend,
} from './wasmHeap';

/** The `LayerNormGrad` kernel of the wasm-native backend. */
export function layerNormGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: LAYER_NORM_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, gain, mean, rstd, dy } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, d] = checkLayerNormOperands(LAYER_NORM_GRAD, x, gain, gain);
      checkShapes(LAYER_NORM_GRAD, [
        ['mean', mean, [rows]],
        ['rstd', rstd, [rows]],
        ['dy', dy, x.shape],
      ]);
      const backend = args.backend as unknown as WasmBackend;
      const dx = backend.makeOutput(x.shape, 'float32');
      const dgain = backend.makeOutput([d], 'float32');
      const dbias = backend.makeOutput([d], 'float32');
      blas.layerNormGrad(
        heapWith(backend, x, gain, mean, rstd, dy, dx, dgain, dbias),
        offsetOf(backend, x),
        offsetOf(backend, gain),
        offsetOf(backend, mean),
        offsetOf(backend, rstd),
        offsetOf(backend, dy),
        offsetOf(backend, dx),
        offsetOf(backend, dgain),
        offsetOf(backend, dbias),
        rows,
        d,
      );
      return [dx, dgain, dbias];
    },
  };
}
