import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { nativeBatchMatMul, ACTIVATION_KERNELS, runWasmKernel, type WasmBackend } from './wasmHeap';

/** The `_FusedMatMul` kernel of the wasm-native backend. */
export function fusedMatMulKernel(blas: NativeBlas, other: Fallback): tf.KernelConfig {
  return {
    kernelName: tf._FusedMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo>;
      const attrs = args.attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
        activation: string;
        leakyreluAlpha?: number;
      };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return other(tf._FusedMatMul, args);
      const backend = args.backend as unknown as WasmBackend;
      let out = nativeBatchMatMul(blas, backend, a, b, attrs.transposeA, attrs.transposeB);
      const replace = (next: tf.TensorInfo) => {
        backend.disposeData(out.dataId);
        out = next;
      };
      if (bias) replace(runWasmKernel(tf.Add, backend, { a: out, b: bias }));
      const activation = attrs.activation ?? 'linear';
      if (activation !== 'linear') {
        const kernel = ACTIVATION_KERNELS[activation];
        if (!kernel) throw new Error(`_FusedMatMul: unsupported activation "${activation}"`);
        if (activation === 'prelu') {
          replace(runWasmKernel(kernel, backend, { x: out, alpha: preluActivationWeights }));
        } else if (activation === 'leakyrelu') {
          replace(
            runWasmKernel(kernel, backend, { x: out }, { alpha: attrs.leakyreluAlpha ?? 0.2 }),
          );
        } else {
          replace(runWasmKernel(kernel, backend, { x: out }));
        }
      }
      return out;
    },
  };
}
