import type * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { ADAM_UPDATE_EXACT } from '../kernelNames';
import { adamExactKernel, MODE } from './adamExact';

/** The `AdamUpdateExact` kernel of the wasm-native backend (outputs w', m', v'). */
export function adamUpdateExactKernel(blas: NativeBlas): tf.KernelConfig {
  return adamExactKernel(blas, ADAM_UPDATE_EXACT, MODE.update, ['w', 'g', 'm', 'v'], 3);
}
