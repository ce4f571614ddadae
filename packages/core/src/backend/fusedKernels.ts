import * as tf from '@tensorflow/tfjs-core';
import type { FUSED_KERNELS } from '@farzi/kernels-native';

// Which fused kernels (softmax cross-entropy, layer norm, Adam and their gradients) a backend may
// have registered. Only wasm-native registers them; in a browser nothing sets the names and every
// op takes its composed path. No file system or native module here (part of the browser bundle).

type FusedKernelNames = typeof FUSED_KERNELS;

let names: () => FusedKernelNames | undefined = () => undefined;

/** Called by the wasm-native backend's module with where the names come from. */
export function setFusedKernelNames(source: () => FusedKernelNames | undefined): void {
  names = source;
}

/**
 * The names of the fused kernels that a backend may register (wasm-native does); undefined when
 * the kernel package does not load (or in a browser).
 */
export function fusedKernelNames(): FusedKernelNames | undefined {
  return names();
}

/** Whether the current backend registered every named kernel. */
export function backendHasKernels(...kernels: string[]): boolean {
  const backend = tf.getBackend();
  return kernels.every((name) => tf.getKernel(name, backend) !== undefined);
}
