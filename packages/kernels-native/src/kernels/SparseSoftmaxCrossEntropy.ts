import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { SPARSE_SOFTMAX_XENT } from '../kernelNames';
import { offsetOf, checkXentOperands, type WasmBackend, heapWith } from './wasmHeap';

/**
 * The cross-entropy over the vocabulary: one pass for the loss and one for its gradient instead
 * of the ~15 elementwise passes over [rows × |V|] that the composed ops take.
 */
export function sparseSoftmaxCrossEntropyKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: SPARSE_SOFTMAX_XENT,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, labels } = args.inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
      const [rows, classes] = checkXentOperands(SPARSE_SOFTMAX_XENT, logits, labels);
      const backend = args.backend as unknown as WasmBackend;
      const loss = backend.makeOutput([rows], 'float32');
      const lse = backend.makeOutput([rows], 'float32');
      if (rows > 0) {
        blas.softmaxXent(
          heapWith(backend, logits, labels, loss, lse),
          offsetOf(backend, logits),
          offsetOf(backend, labels),
          offsetOf(backend, loss),
          offsetOf(backend, lse),
          rows,
          classes,
        );
      }
      return [loss, lse];
    },
  };
}
