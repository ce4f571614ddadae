import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SOFTMAX_ROWS_GRAD } from '../kernelNames';
import { checkRowsOperands, heapWith, offsetOf, temperatureOf, type WasmBackend } from './wasmHeap';

/** The row softmax's gradient in x, dx = p ⊙ (dy − ⟨p, dy⟩)/τ, in one pass per row. */
export function softmaxRowsGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SOFTMAX_ROWS_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, bias, dy } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      if (!x || !dy) throw new Error(`${SOFTMAX_ROWS_GRAD}: the inputs x and dy are required`);
      const [rows, cols] = checkRowsOperands(SOFTMAX_ROWS_GRAD, x, { bias, dy });
      const tau = temperatureOf(SOFTMAX_ROWS_GRAD, args.attrs);
      const backend = args.backend as unknown as WasmBackend;
      const dx = backend.makeOutput([...x.shape], 'float32');
      if (rows > 0) {
        const operands = bias ? [x, bias, dy, dx] : [x, dy, dx];
        blas.softmaxRowsGrad(
          heapWith(backend, ...operands),
          offsetOf(backend, x),
          bias ? offsetOf(backend, bias) : -1,
          offsetOf(backend, dy),
          offsetOf(backend, dx),
          rows,
          cols,
          tau,
        );
      }
      return dx;
    },
  };
}
