import type * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { ADAM_ADJOINT } from '../kernelNames';
import { adamExactKernel, MODE } from './adamExact';

/** The `AdamAdjoint` kernel of the wasm-native backend (outputs w_{t−1}, dm_t, dv_t, the dα integrand). */
export function adamAdjointKernel(blas: NativeBlas): tf.KernelConfig {
  return adamExactKernel(blas, ADAM_ADJOINT, MODE.adjoint, ['w', 'm', 'v', 'dw', 'dm', 'dv'], 4);
}
