import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SOFT_XENT } from '../kernelNames';
import { checkSoftXentOperands, heapWith, offsetOf, type WasmBackend } from './wasmHeap';

/**
 * The cross-entropy against soft targets, one value per row: one pass over the logits and
 * targets instead of the composed log-softmax's ~7 passes over [rows × |V|].
 */
export function softXentKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SOFT_XENT,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, targets } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, classes] = checkSoftXentOperands(SOFT_XENT, { logits, targets });
      const backend = args.backend as unknown as WasmBackend;
      const loss = backend.makeOutput([rows], 'float32');
      if (rows > 0) {
        blas.softXent(
          heapWith(backend, logits, targets, loss),
          offsetOf(backend, logits),
          offsetOf(backend, targets),
          offsetOf(backend, loss),
          rows,
          classes,
        );
      }
      return loss;
    },
  };
}
