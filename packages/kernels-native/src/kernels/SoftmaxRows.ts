import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SOFTMAX_ROWS } from '../kernelNames';
import { checkRowsOperands, heapWith, offsetOf, temperatureOf, type WasmBackend } from './wasmHeap';

/**
 * Softmax over the last axis of x/τ + b (attention's weights): one pass per row instead of the
 * composed division, mask addition, maximum, shift, exp, sum and division.
 */
export function softmaxRowsKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SOFTMAX_ROWS,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, bias } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      if (!x) throw new Error(`${SOFTMAX_ROWS}: the input x is missing`);
      const [rows, cols] = checkRowsOperands(SOFTMAX_ROWS, x, { bias });
      const tau = temperatureOf(SOFTMAX_ROWS, args.attrs);
      const backend = args.backend as unknown as WasmBackend;
      const y = backend.makeOutput([...x.shape], 'float32');
      if (rows > 0) {
        const operands = bias ? [x, bias, y] : [x, y];
        blas.softmaxRows(
          heapWith(backend, ...operands),
          offsetOf(backend, x),
          bias ? offsetOf(backend, bias) : -1,
          offsetOf(backend, y),
          rows,
          cols,
          tau,
        );
      }
      return y;
    },
  };
}
