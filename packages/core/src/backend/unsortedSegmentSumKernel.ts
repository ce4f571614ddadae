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

/** The subset of the wasm backend's API the gather kernel uses. */
interface WasmHeapBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/**
 * `GatherV2` for the wasm backend as contiguous row copies inside the wasm memory. The built-in
 * computes strided indices per element: an embedding lookup of 128 × 50 ids into [1683 × 50] took
 * 39 ms; the copies take well under one. Same semantics: ids outside [0, dim) are an error.
 */
export const gatherWasmConfig: tf.KernelConfig = {
  kernelName: tf.GatherV2,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
    const wasm = backend as unknown as WasmHeapBackend;
    const bytes = BYTES[x.dtype];
    if (!bytes) throw new Error(`GatherV2 (wasm): unsupported dtype ${x.dtype}`);
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    const ids = wasm.readSync(indices.dataId);
    const dim = x.shape[parsedAxis];
    for (let i = 0; i < ids.length; i++) {
      if (!(ids[i] >= 0 && ids[i] <= dim - 1)) {
        throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${dim - 1}]`);
      }
    }
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(
      x as tf.Tensor,
      indices as tf.Tensor,
      parsedAxis,
      batchDims,
    );
    const out = wasm.makeOutput(info.outputShape, x.dtype);
    if (tf.util.sizeFromShape(info.outputShape) === 0) return out;
    const src = wasm.dataIdMap.get(x.dataId)?.memoryOffset;
    const dst = wasm.dataIdMap.get(out.dataId)?.memoryOffset;
    if (src === undefined || dst === undefined) throw new Error('GatherV2 (wasm): no data');
    // x is [batch, outer, dim, slice], indices [batch, n], out [batch, outer, n, slice].
    const n = ids.length / info.batchSize;
    const slice = info.sliceSize * bytes;
    const heap = wasm.wasm.HEAPU8; // taken after makeOutput: allocation may grow the memory
    let o = dst;
    for (let b = 0; b < info.batchSize; b++) {
      for (let q = 0; q < info.outerSize; q++) {
        const base = src + (b * info.outerSize + q) * info.dimSize * slice;
        for (let i = 0; i < n; i++) {
          const from = base + ids[b * n + i] * slice;
          heap.copyWithin(o, from, from + slice);
          o += slice;
        }
      }
    }
    return out;
  },
};

/**
 * `Cast` for the wasm backend that shares the data when the dtype does not change: tfjs's
 * gradients cast float32 tensors to float32 (multiply, divide, square, relu), and the wasm kernel
 * copied each. Casts to bool are `x ≠ 0`: the upstream kernel truncated the value into a byte
 * (−2.2 became 254, and 254 again when cast back to a number). Other casts go to the kernel
 * registered before.
 */
function sharedCastWasmConfig(previous: tf.KernelConfig): tf.KernelConfig {
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

/**
 * `Sum` for the wasm backend when the reduced axes are the leading ones (bias gradients: [B·L, d]
 * → [d], [B, L, d] → [d]): one pass of column sums over the wasm memory, accumulated in float64.
 * The built-in transposes the input first (~1.5 ms per [6400 × 50]). Other reductions go to the
 * kernel registered before.
 */
function leadingAxesSumWasmConfig(previous: tf.KernelConfig): tf.KernelConfig {
  return {
    ...previous, // keeps its setupFunc (wasm function bindings)
    kernelName: tf.Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as {
        axis: number | number[];
        keepDims: boolean;
      };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const k = axes.length;
      const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
      if (!leading || x.dtype !== 'float32') return previous.kernelFunc(args);
      const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
      const inner = tf.util.sizeFromShape(x.shape.slice(k));
      const shape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
      const wasm = args.backend as unknown as WasmHeapBackend & {
        typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
      };
      const out = wasm.makeOutput(shape, 'float32');
      const acc = new Float64Array(inner);
      const values = wasm.typedArrayFromHeap(x); // after makeOutput: the memory may have grown
      for (let r = 0; r < rows; r++) {
        const base = r * inner;
        for (let j = 0; j < inner; j++) acc[j] += values[base + j];
      }
      wasm.typedArrayFromHeap(out).set(acc);
      return out;
    },
  };
}

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
  const cast = tf.getKernel(tf.Cast, 'wasm');
  if (cast) {
    tf.unregisterKernel(tf.Cast, 'wasm');
    tf.registerKernel(sharedCastWasmConfig(cast));
  }
  const sum = tf.getKernel(tf.Sum, 'wasm');
  if (sum) {
    tf.unregisterKernel(tf.Sum, 'wasm');
    tf.registerKernel(leadingAxesSumWasmConfig(sum));
  }
  if (tf.getKernel(tf.GatherV2, 'wasm')) tf.unregisterKernel(tf.GatherV2, 'wasm');
  tf.registerKernel(gatherWasmConfig);
  registerFastTransposedMatMul();
  registered = true;
}
