import * as tf from '@tensorflow/tfjs-core';
import type { WasmHeapBackend } from './GatherV2';

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/**
 * `Slice` for the wasm backend as contiguous copies inside the wasm memory. The built-in reads its
 * input with `readSync`, which copies the whole input out of the memory first: a [33, 36, 10001]
 * slice of a [258, 36, 10001] tensor (PTB's synthetic text) copied 371 MB to keep 47 MB and took
 * ~0.25 s. Here each run of the slice that is contiguous in the input (everything from the last
 * axis not taken whole) is one copy within the memory. Same semantics; strings go to the built-in.
 */
export function sliceWasmConfig(upstream: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Slice,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const bytes = BYTES[x.dtype];
      const rank = x.shape.length;
      if (!bytes || rank === 0) return upstream.kernelFunc(args);
      const { begin, size } = args.attrs as unknown as {
        begin: number | number[];
        size: number | number[];
      };
      const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
      const wasm = args.backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput(s, x.dtype);
      if (tf.util.sizeFromShape(s) === 0) return out;
      const src = wasm.dataIdMap.get(x.dataId)?.memoryOffset;
      const dst = wasm.dataIdMap.get(out.dataId)?.memoryOffset;
      if (src === undefined || dst === undefined) throw new Error('Slice (wasm): no data');
      const strides = [...tf.util.computeStrides(x.shape), 1];
      // Axes after d are taken whole: from axis d on, a run of the slice is contiguous.
      let d = rank - 1;
      while (d > 0 && b[d] === 0 && s[d] === x.shape[d]) d--;
      const run = s[d] * strides[d] * bytes;
      const runs = tf.util.sizeFromShape(s.slice(0, d));
      const index = new Array<number>(d).fill(0);
      const heap = wasm.wasm.HEAPU8; // taken after makeOutput: allocation may grow the memory
      let o = dst;
      for (let r = 0; r < runs; r++) {
        let offset = b[d] * strides[d];
        for (let i = 0; i < d; i++) offset += (b[i] + index[i]) * strides[i];
        const from = src + offset * bytes;
        heap.copyWithin(o, from, from + run);
        o += run;
        for (let i = d - 1; i >= 0 && ++index[i] === s[i]; i--) index[i] = 0;
      }
      return out;
    },
  };
}
