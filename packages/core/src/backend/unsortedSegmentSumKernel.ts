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

/** The subset of the cpu backend's API the kernel uses. */
interface CpuBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(
    shape: number[],
    dtype: tf.DataType,
    values: Float32Array | Int32Array,
  ): tf.TensorInfo;
}

/**
 * `UnsortedSegmentSum` for the plain JS cpu backend. Upstream's builds one masked copy of the input
 * per segment (O(segments × rows) tensor operations): an embedding gradient over 1,683 items took
 * 8 s at batch 2. This is the same single pass as the wasm kernel.
 */
export const unsortedSegmentSumCpuConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const { x, segmentIds, numSegments, rows, innerShape, inner } = geometry(args);
    const cpu = args.backend as unknown as CpuBackend;
    const out =
      x.dtype === 'int32'
        ? new Int32Array(numSegments * inner)
        : new Float32Array(numSegments * inner);
    segmentSum(
      cpu.readSync(segmentIds.dataId),
      cpu.readSync(x.dataId),
      out,
      rows,
      inner,
      numSegments,
    );
    return cpu.makeTensorInfo([numSegments, ...innerShape], x.dtype, out);
  },
};

/** Inputs and sizes of an UnsortedSegmentSum call: `rows` ids, each selecting `inner` values. */
function geometry({ inputs, attrs }: Parameters<tf.KernelFunc>[0]) {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const innerShape = x.shape.slice(segmentIds.shape.length);
  return {
    x,
    segmentIds,
    numSegments,
    rows: segmentIds.shape.reduce((a, b) => a * b, 1),
    innerShape,
    inner: innerShape.reduce((a, b) => a * b, 1),
  };
}

function segmentSum(
  ids: ArrayLike<number>,
  values: ArrayLike<number>,
  out: Float32Array | Int32Array,
  rows: number,
  inner: number,
  numSegments: number,
): void {
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += values[src + j];
  }
}

let registered = false;

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

let cpuRegistered = false;

/** Replaces the cpu backend's slow UnsortedSegmentSum (call once the cpu backend is registered). */
export function registerCpuKernels(): void {
  if (cpuRegistered) return;
  if (tf.getKernel(tf.UnsortedSegmentSum, 'cpu')) tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
  tf.registerKernel(unsortedSegmentSumCpuConfig);
  cpuRegistered = true;
}

/** Registers the project's extra wasm kernels once (call after the wasm backend is registered). */
export function registerWasmKernels(): void {
  if (registered) return;
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) tf.registerKernel(unsortedSegmentSumWasmConfig);
  const identity = tf.getKernel(tf.Identity, 'wasm');
  if (identity?.kernelFunc !== sharedIdentityWasmConfig.kernelFunc) {
    if (identity) tf.unregisterKernel(tf.Identity, 'wasm');
    tf.registerKernel(sharedIdentityWasmConfig);
  }
  registerFastTransposedMatMul();
  registered = true;
}
