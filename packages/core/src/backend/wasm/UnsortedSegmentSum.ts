import * as tf from '@tensorflow/tfjs-core';
import { geometry, segmentSum } from '../segmentSum';

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
  kernelFunc: (args) => {
    const { x, segmentIds, numSegments, rows, innerShape, inner } = geometry(args);
    const wasm = args.backend as unknown as HeapBackend;
    const ids = wasm.readSync(segmentIds.dataId);
    const values = wasm.readSync(x.dataId);
    const out = wasm.makeOutput([numSegments, ...innerShape], x.dtype);
    // Take the heap view only after allocating the output: allocation may grow the wasm memory.
    const heap = wasm.typedArrayFromHeap(out);
    heap.fill(0);
    segmentSum(ids, values, heap, rows, inner, numSegments);
    return out;
  },
};
