import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SOFT_XENT_GRAD } from '../kernelNames';
import { checkSoftXentOperands, heapWith, offsetOf, type WasmBackend } from './wasmHeap';

/** The soft-target cross-entropy's gradient in the logits, scale·(s·softmax − targets), in one call. */
export function softXentGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SOFT_XENT_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, targets, scale } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, classes] = checkSoftXentOperands(SOFT_XENT_GRAD, { logits, targets }, { scale });
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput([rows, classes], 'float32');
      if (rows > 0) {
        blas.softXentGrad(
          heapWith(backend, logits, targets, scale, out),
          offsetOf(backend, logits),
          offsetOf(backend, targets),
          offsetOf(backend, scale),
          offsetOf(backend, out),
          rows,
          classes,
        );
      }
      return out;
    },
  };
}
