// Public API of @farzi/kernels-native.
export {
  ADAM_UPDATE,
  FUSED_KERNELS,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  loadNativeKernels,
  nativeBlas,
  SPARSE_SOFTMAX_XENT,
  SPARSE_SOFTMAX_XENT_GRAD,
} from './nativeKernels';
export type { NativeBlas, NativeKernels } from './nativeKernels';
