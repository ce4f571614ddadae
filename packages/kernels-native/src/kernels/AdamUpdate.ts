import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { ADAM_UPDATE } from '../kernelNames';
import { sizeOf, offsetOf, type WasmBackend, heapWith } from './wasmHeap';

/** The `AdamUpdate` kernel of the wasm-native backend. */
export function adamUpdateKernel(blas: NativeBlas): tf.KernelConfig {
  return {
    kernelName: ADAM_UPDATE,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { w, g, m, v } = args.inputs as Record<string, tf.TensorInfo>;
      const a = args.attrs as unknown as Record<string, number>;
      for (const [name, t] of [
        ['g', g],
        ['m', m],
        ['v', v],
      ] as const) {
        if (t.dtype !== 'float32' || w.dtype !== 'float32' || t.shape.join() !== w.shape.join()) {
          throw new Error(
            `${ADAM_UPDATE}: ${name} must be float32 [${w.shape}] like w, got ${t.dtype} [${t.shape}]`,
          );
        }
      }
      const backend = args.backend as unknown as WasmBackend;
      const outs = [0, 1, 2].map(() => backend.makeOutput(w.shape, 'float32'));
      const n = sizeOf(w.shape);
      if (n > 0) {
        blas.adamUpdate(
          heapWith(backend, w, g, m, v, outs[0], outs[1], outs[2]),
          offsetOf(backend, w),
          offsetOf(backend, g),
          offsetOf(backend, m),
          offsetOf(backend, v),
          offsetOf(backend, outs[0]),
          offsetOf(backend, outs[1]),
          offsetOf(backend, outs[2]),
          n,
          Float64Array.of(a.learningRate, a.beta1, a.beta2, a.eps, a.epsRoot, a.weightDecay, a.t),
        );
      }
      return outs;
    },
  };
}
