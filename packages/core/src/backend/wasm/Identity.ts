import * as tf from '@tensorflow/tfjs-core';

/**
 * `Identity` for the wasm backend without a copy: tfjs clones every tensor a kernel saves for its
 * backward pass through Identity, and the wasm kernel copies the whole buffer (four copies of the
 * [B·L × |V|] logits per SASRec step). Tensors are immutable, so sharing the data with a reference
 * count — what the cpu backend's Identity and the wasm Reshape already do — gives the same results.
 */
export const sharedIdentityWasmConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
