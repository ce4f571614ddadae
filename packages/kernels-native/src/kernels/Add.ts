import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import { binaryKernel } from './binaryOps';
import type { Fallback } from './fallback';

export const addKernel = (blas: NativeBlas, other: Fallback): tf.KernelConfig =>
  binaryKernel(tf.Add, blas, other);
