import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { nativeBatchMatMul, type WasmBackend } from './wasmHeap';

/** The `BatchMatMul` kernel of the wasm-native backend. */
export function batchMatMulKernel(blas: NativeBlas, other: Fallback): tf.KernelConfig {
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return other(tf.BatchMatMul, args);
      return nativeBatchMatMul(
        blas,
        args.backend as unknown as WasmBackend,
        a,
        b,
        transposeA,
        transposeB,
      );
    },
  };
}
