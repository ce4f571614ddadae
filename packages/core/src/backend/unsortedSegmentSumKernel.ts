import * as tf from '@tensorflow/tfjs';
import { registerFastTransposedMatMul } from './fastTransposedMatMul';

/** The subset of the wasm backend's API the kernel uses. */
interface HeapBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

/**
 * `UnsortedSegmentSum` for the wasm backend, which lacks it upstream (tensorflow/tfjs#8082); the
 * gradient of `gather` (every embedding lookup) needs it. Sums rows of `x` into `numSegments`
 * output rows by `segmentIds`; ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    const wasm = backend as unknown as HeapBackend;
    const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
    const innerShape = x.shape.slice(segmentIds.shape.length);
    const inner = innerShape.reduce((a, b) => a * b, 1);
    const ids = wasm.readSync(segmentIds.dataId);
    const values = wasm.readSync(x.dataId);
    const out = wasm.makeOutput([numSegments, ...innerShape], x.dtype);
    // Take the heap view only after allocating the output: allocation may grow the wasm memory.
    const heap = wasm.typedArrayFromHeap(out);
    heap.fill(0);
    for (let r = 0; r < rows; r++) {
      const s = ids[r];
      if (s < 0 || s >= numSegments) continue;
      const src = r * inner;
      const dst = s * inner;
      for (let j = 0; j < inner; j++) heap[dst + j] += values[src + j];
    }
    return out;
  },
};

let registered = false;

/** Registers the project's extra wasm kernels once (call after the wasm backend is registered). */
export function registerWasmKernels(): void {
  if (registered) return;
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) tf.registerKernel(unsortedSegmentSumWasmConfig);
  registerFastTransposedMatMul();
  registered = true;
}
