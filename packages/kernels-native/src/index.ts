// Public API of @farzi/kernels-native.
export { nativeBlas, OPENBLAS_DEFAULTS, userEnvironment } from './blas';
export type { NativeBlas } from './blas';
export {
  ADAM_ADJOINT,
  ADAM_RESTORE,
  ADAM_UPDATE,
  ADAM_UPDATE_EXACT,
  FUSED_KERNELS,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  SOFT_XENT,
  SOFT_XENT_GRAD,
  SOFT_XENT_GRAD_GRAD,
  SPARSE_SOFTMAX_XENT,
  SPARSE_SOFTMAX_XENT_GRAD,
} from './kernelNames';
export { loadNativeKernels } from './loadNativeKernels';
export type { NativeKernels } from './loadNativeKernels';
