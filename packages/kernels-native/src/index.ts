// Public API of @farzi/kernels-native.
export { loadNativeKernels, nativeBlas } from './nativeKernels';
export type { NativeBlas, NativeKernels } from './nativeKernels';
