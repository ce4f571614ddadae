import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SPARSE_SOFTMAX_XENT_GRAD } from '../kernelNames';
import { offsetOf, checkXentOperands, type WasmBackend, heapWith } from './wasmHeap';

/** The `SparseSoftmaxCrossEntropyGrad` kernel of the wasm-native backend. */
export function sparseSoftmaxCrossEntropyGradKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SPARSE_SOFTMAX_XENT_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, lse, labels, scale } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, classes] = checkXentOperands(SPARSE_SOFTMAX_XENT_GRAD, logits, labels);
      for (const [name, t] of [
        ['lse', lse],
        ['scale', scale],
      ] as const) {
        if (t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== rows) {
          throw new Error(
            `${SPARSE_SOFTMAX_XENT_GRAD}: ${name} must be float32 [${rows}], got ${t.dtype} [${t.shape}]`,
          );
        }
      }
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput([rows, classes], 'float32');
      if (rows > 0) {
        blas.softmaxXentGrad(
          heapWith(backend, logits, lse, labels, scale, out),
          offsetOf(backend, logits),
          offsetOf(backend, lse),
          offsetOf(backend, labels),
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
