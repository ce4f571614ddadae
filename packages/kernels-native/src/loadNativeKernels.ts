import * as tf from '@tensorflow/tfjs-core';
import { nativeBlas } from './blas';
import { adamAdjointKernel } from './kernels/AdamAdjoint';
import { adamRestoreKernel } from './kernels/AdamRestore';
import { adamUpdateKernel } from './kernels/AdamUpdate';
import { adamUpdateExactKernel } from './kernels/AdamUpdateExact';
import { addKernel } from './kernels/Add';
import { batchMatMulKernel } from './kernels/BatchMatMul';
import { expKernel } from './kernels/Exp';
import type { Fallback } from './kernels/fallback';
import { fusedMatMulKernel } from './kernels/_FusedMatMul';
import { layerNormKernel } from './kernels/LayerNorm';
import { maxKernel } from './kernels/Max';
import { layerNormGradKernel } from './kernels/LayerNormGrad';
import { layerNormGradGradKernel } from './kernels/LayerNormGradGrad';
import { multiplyKernel } from './kernels/Multiply';
import { realDivKernel } from './kernels/RealDiv';
import { sparseSoftmaxCrossEntropyKernel } from './kernels/SparseSoftmaxCrossEntropy';
import { sparseSoftmaxCrossEntropyGradKernel } from './kernels/SparseSoftmaxCrossEntropyGrad';
import { softXentKernel } from './kernels/SoftXent';
import { softXentGradKernel } from './kernels/SoftXentGrad';
import { softXentGradGradKernel } from './kernels/SoftXentGradGrad';
import { softmaxRowsKernel } from './kernels/SoftmaxRows';
import { softmaxRowsGradKernel } from './kernels/SoftmaxRowsGrad';
import { softmaxRowsGradGradKernel } from './kernels/SoftmaxRowsGradGrad';
import { subKernel } from './kernels/Sub';
import { sumKernel } from './kernels/Sum';

// The registration of the wasm-native kernels: one file per kernel under ./kernels (as tfjs lays
// out a backend's kernels), the addon in ./blas, the kernels' names in ./kernelNames.

/** What the wasm backend gains when the addon loads. */
export interface NativeKernels {
  /**
   * Kernel configs for the `wasm` backend: BatchMatMul, _FusedMatMul, Exp, Sum, Max, Add, Sub, Multiply, RealDiv,
   * the fused sparse and soft-target softmax cross-entropies, the row (attention) softmax and layer
   * norm with their gradients and second derivatives (the sparse one's first only), the Adam update
   * and its exact variant, and the two halves of Adam's reversal.
   */
  readonly kernels: tf.KernelConfig[];
  /** One line for logs, e.g. "OpenBLAS 0.3.21 … (2 threads)". */
  readonly description: string;
}

/**
 * The native kernels for the wasm backend, or why they are unavailable. Float32 operands go through
 * OpenBLAS; other dtypes use `fallback(kernelName)` (the kernel that was registered before).
 */
export function loadNativeKernels(
  fallback: (kernelName: string) => tf.KernelFunc | undefined = () => undefined,
): NativeKernels | string {
  const other: Fallback = (name, args) => {
    const f = fallback(name);
    if (!f) throw new Error(`${name} (wasm-native): only float32 operands are supported`);
    return f(args);
  };
  const blas = nativeBlas();
  if (typeof blas === 'string') return blas;
  return {
    kernels: [
      batchMatMulKernel(blas, other),
      fusedMatMulKernel(blas, other),
      expKernel(blas, other),
      sparseSoftmaxCrossEntropyKernel(blas),
      sparseSoftmaxCrossEntropyGradKernel(blas),
      softXentKernel(blas),
      softXentGradKernel(blas),
      softXentGradGradKernel(blas),
      softmaxRowsKernel(blas),
      softmaxRowsGradKernel(blas),
      softmaxRowsGradGradKernel(blas),
      layerNormKernel(blas),
      layerNormGradKernel(blas),
      layerNormGradGradKernel(blas),
      sumKernel(blas, other),
      maxKernel(blas, other),
      addKernel(blas, other),
      subKernel(blas, other),
      multiplyKernel(blas, other),
      realDivKernel(blas, other),
      adamUpdateKernel(blas),
      adamUpdateExactKernel(blas),
      adamAdjointKernel(blas),
      adamRestoreKernel(blas),
    ],
    description: `${blas.config().split(' ').slice(0, 2).join(' ')}, ${blas.threads()} threads`,
  };
}
