import type * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { ADAM_RESTORE } from '../kernelNames';
import { adamExactKernel, MODE } from './adamExact';

/** The `AdamRestore` kernel of the wasm-native backend (outputs m_{t−1}, v_{t−1}, dw, dm, dv). */
export function adamRestoreKernel(blas: NativeBlas): tf.KernelConfig {
  return adamExactKernel(
    blas,
    ADAM_RESTORE,
    MODE.restore,
    ['m', 'v', 'g', 'dw', 'hw', 'dmT', 'dvT'],
    5,
  );
}
