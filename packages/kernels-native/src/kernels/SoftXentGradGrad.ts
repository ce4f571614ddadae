import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SOFT_XENT_GRAD_GRAD } from '../kernelNames';
import { checkSoftXentOperands, heapWith, offsetOf, type WasmBackend } from './wasmHeap';

/**
 * The gradient of the soft-target cross-entropy's gradient (the Hessian-vector products of the
 * Farzi reverse pass) in logits, targets and scale, in one call of two passes per row.
 */
export function softXentGradGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SOFT_XENT_GRAD_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, targets, scale, dy } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, classes] = checkSoftXentOperands(
        SOFT_XENT_GRAD_GRAD,
        { logits, targets, dy },
        { scale },
      );
      const backend = args.backend as unknown as WasmBackend;
      const dLogits = backend.makeOutput([rows, classes], 'float32');
      const dTargets = backend.makeOutput([rows, classes], 'float32');
      const dScale = backend.makeOutput([rows], 'float32');
      if (rows > 0) {
        blas.softXentGradGrad(
          heapWith(backend, logits, targets, scale, dy, dLogits, dTargets, dScale),
          offsetOf(backend, logits),
          offsetOf(backend, targets),
          offsetOf(backend, scale),
          offsetOf(backend, dy),
          offsetOf(backend, dLogits),
          offsetOf(backend, dTargets),
          offsetOf(backend, dScale),
          rows,
          classes,
        );
      }
      return [dLogits, dTargets, dScale];
    },
  };
}
