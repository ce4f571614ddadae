import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SOFTMAX_ROWS_GRAD_GRAD } from '../kernelNames';
import { checkRowsOperands, heapWith, offsetOf, temperatureOf, type WasmBackend } from './wasmHeap';

/**
 * The gradient of the row softmax's gradient (attention's Hessian-vector products in the Farzi
 * reverse pass) in x and in dy, in one call of three passes per row.
 */
export function softmaxRowsGradGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SOFTMAX_ROWS_GRAD_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, bias, dy, cotangent } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      if (!x || !dy || !cotangent) {
        throw new Error(`${SOFTMAX_ROWS_GRAD_GRAD}: the inputs x, dy and cotangent are required`);
      }
      const [rows, cols] = checkRowsOperands(SOFTMAX_ROWS_GRAD_GRAD, x, { bias, dy, cotangent });
      const tau = temperatureOf(SOFTMAX_ROWS_GRAD_GRAD, args.attrs);
      const backend = args.backend as unknown as WasmBackend;
      const dX = backend.makeOutput([...x.shape], 'float32');
      const dDy = backend.makeOutput([...x.shape], 'float32');
      if (rows > 0) {
        const operands = bias ? [x, bias, dy, cotangent, dX, dDy] : [x, dy, cotangent, dX, dDy];
        blas.softmaxRowsGradGrad(
          heapWith(backend, ...operands),
          offsetOf(backend, x),
          bias ? offsetOf(backend, bias) : -1,
          offsetOf(backend, dy),
          offsetOf(backend, cotangent),
          offsetOf(backend, dX),
          offsetOf(backend, dDy),
          rows,
          cols,
          tau,
        );
      }
      return [dX, dDy];
    },
  };
}
