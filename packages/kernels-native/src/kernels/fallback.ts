import type * as tf from '@tensorflow/tfjs-core';

/** Runs the kernel registered before (the upstream wasm one) for operands a native kernel does not take. */
export type Fallback = (
  name: string,
  args: Parameters<tf.KernelFunc>[0],
) => tf.TensorInfo | tf.TensorInfo[];
