import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { LAYER_NORM_GRAD_GRAD } from '../kernelNames';
import {
  checkLayerNormOperands,
  checkShapes,
  heapWith,
  offsetOf,
  type WasmBackend,
} from './wasmHeap';

/**
 * The gradient of layer norm's gradient (the Hessian-vector products of the Farzi reverse pass) in
 * x, gain and dy, in one call of three passes per row.
 */
export function layerNormGradGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: LAYER_NORM_GRAD_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const { x, gain, mean, rstd, dy, dx, dgain, dbias } = inputs;
      if (!x || !gain || !mean || !rstd || !dy || !dx || !dgain || !dbias) {
        const missing = ['x', 'gain', 'mean', 'rstd', 'dy', 'dx', 'dgain', 'dbias'].filter(
          (n) => !inputs[n],
        );
        throw new Error(`${LAYER_NORM_GRAD_GRAD}: missing input(s) ${missing.join(', ')}`);
      }
      const [rows, d] = checkLayerNormOperands(LAYER_NORM_GRAD_GRAD, x, gain, dgain);
      checkShapes(LAYER_NORM_GRAD_GRAD, [
        ['mean', mean, [rows]],
        ['rstd', rstd, [rows]],
        ['dy', dy, x.shape],
        ['dx', dx, x.shape],
        ['dbias', dbias, [d]],
      ]);
      const backend = args.backend as unknown as WasmBackend;
      const dX = backend.makeOutput(x.shape, 'float32');
      const dGain = backend.makeOutput([d], 'float32');
      const dDy = backend.makeOutput(x.shape, 'float32');
      blas.layerNormGradGrad(
        heapWith(backend, x, gain, mean, rstd, dy, dx, dgain, dbias, dX, dGain, dDy),
        offsetOf(backend, x),
        offsetOf(backend, gain),
        offsetOf(backend, mean),
        offsetOf(backend, rstd),
        offsetOf(backend, dy),
        offsetOf(backend, dx),
        offsetOf(backend, dgain),
        offsetOf(backend, dbias),
        offsetOf(backend, dX),
        offsetOf(backend, dGain),
        offsetOf(backend, dDy),
        rows,
        d,
      );
      return [dX, dGain, dDy];
    },
  };
}
