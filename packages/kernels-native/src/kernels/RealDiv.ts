import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { binaryKernel } from './binaryOps';
import type { Fallback } from './fallback';

export const realDivKernel = (blas: NativeBlas, other: Fallback): tf.KernelConfig =>
  binaryKernel(tf.RealDiv, blas, other);
