import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';
import type { Fallback } from './fallback';
import { offsetOf, sizeOf, type WasmBackend, heapWith } from './wasmHeap';

const OPS = { [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3 } as Record<
  string,
  number
>;

const FULL = 0;
const SCALAR = 1;
const ROW = 2;
const COL = 3;

/**
 * How an operand of shape `own` broadcasts against the output `out` seen as rows × cols (cols =
 * the last axis): full, scalar, one value per row ([..., 1]) or one per column ([1, ..., cols]);
 * undefined for any other broadcast (the built-in kernel takes those).
 */
function kindOf(own: number[], out: number[]): number | undefined {
  const size = sizeOf(own);
  if (size === 1) return SCALAR;
  const padded = [...new Array<number>(out.length - own.length).fill(1), ...own];
  if (padded.every((s, i) => s === out[i])) return FULL;
  const last = out.length - 1;
  if (padded[last] === 1 && padded.slice(0, last).every((s, i) => s === out[i])) return ROW;
  if (padded[last] === out[last] && padded.slice(0, last).every((s) => s === 1)) return COL;
  return undefined;
}

/**
 * Add, Sub, Multiply and RealDiv over float32 with the broadcasts of a model's hot loops (same shape, a
 * scalar, a per-row or per-column operand) in one vectorised, row-parallel pass; the built-in
 * kernels (a generic broadcasting loop) were a quarter of a Farzi reverse step over a large
 * catalogue. Other dtypes and broadcasts go to the built-in kernel.
 */
export function binaryKernel(name: string, blas: NativeBlas, other: Fallback): tf.KernelConfig {
  const op = OPS[name];
  return {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return other(name, args);
      const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const ka = kindOf(a.shape, shape);
      const kb = kindOf(b.shape, shape);
      const n = sizeOf(shape);
      if (ka === undefined || kb === undefined || shape.length === 0 || n === 0) {
        return other(name, args);
      }
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(shape, 'float32');
      const cols = shape[shape.length - 1];
      blas.binaryFloat(
        heapWith(backend, a, b, out),
        op,
        offsetOf(backend, a),
        ka,
        offsetOf(backend, b),
        kb,
        offsetOf(backend, out),
        n / cols,
        cols,
      );
      return out;
    },
  };
}
