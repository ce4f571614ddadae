import * as tf from '@tensorflow/tfjs-core';

/**
 * `Cast` for the wasm backend that shares the data when the dtype does not change: tfjs's
 * gradients cast float32 tensors to float32 (multiply, divide, square, relu), and the wasm kernel
 * copied each. Casts to bool are `x ≠ 0`: the upstream kernel truncated the value into a byte
 * (−2.2 became 254, and 254 again when cast back to a number). Other casts go to the kernel
 * registered before.
 */
export function sharedCastWasmConfig(previous: tf.KernelConfig): tf.KernelConfig {
  return {
    ...previous, // keeps its setupFunc (wasm function bindings)
    kernelName: tf.Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
      const backend = args.backend as unknown as {
        incRef(dataId: object): void;
        makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
        typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
        disposeData(dataId: object): boolean;
      };
      if (x.dtype === dtype && dtype !== 'complex64') {
        backend.incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype };
      }
      if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) {
        const zero = backend.makeOutput([], x.dtype);
        backend.typedArrayFromHeap(zero).fill(0);
        const notEqual = tf.getKernel(tf.NotEqual, 'wasm');
        if (!notEqual) throw new Error('the wasm backend has no NotEqual kernel');
        const out = notEqual.kernelFunc({ ...args, inputs: { a: x, b: zero }, attrs: {} });
        backend.disposeData(zero.dataId);
        return out;
      }
      return previous.kernelFunc(args);
    },
  };
}
