import * as tf from '@tensorflow/tfjs-core';
import type { NativeBlas } from '../blas';

/** The subset of the wasm backend the kernels use. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * For every index of the broadcast batch shape `outer`, the flat batch index into an operand whose
 * batch shape is `own` (numpy broadcasting: missing leading dims and dims of size 1 repeat).
 */
export function batchIndex(own: number[], outer: number[]): Int32Array {
  const total = sizeOf(outer);
  const out = new Int32Array(total);
  const offset = outer.length - own.length;
  const strides = new Array<number>(own.length);
  let s = 1;
  for (let d = own.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= own[d];
  }
  for (let i = 0; i < total; i++) {
    let rest = i;
    let index = 0;
    for (let d = outer.length - 1; d >= 0; d--) {
      const coordinate = rest % outer[d];
      rest = Math.floor(rest / outer[d]);
      const od = d - offset;
      if (od >= 0 && own[od] !== 1) index += coordinate * strides[od];
    }
    out[i] = index;
  }
  return out;
}

/**
 * The wasm memory's buffer, taken once `tensors` are resident in it. Resolving a tensor that lives
 * on another backend (created before wasm was selected) moves it in, which allocates and may grow
 * the memory — replacing the buffer. Passed as a native call's first argument, this evaluates the
 * moves before the buffer is read; the offsetOf arguments after it then only read.
 */
export function heapWith(backend: WasmBackend, ...tensors: tf.TensorInfo[]): ArrayBuffer {
  for (const t of tensors) offsetOf(backend, t);
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

/** A tensor's byte offset in the wasm memory (stable while the tensor lives). */
export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('wasm-native: an operand has no data in the wasm memory');
  return data.memoryOffset;
}

/** Checks logits [N, V] float32 and labels [N] int32; returns [N, V]. */
export function checkXentOperands(
  kernel: string,
  logits: tf.TensorInfo,
  labels: tf.TensorInfo,
): [number, number] {
  if (logits.dtype !== 'float32' || logits.shape.length !== 2 || logits.shape[1] < 1) {
    throw new Error(
      `${kernel}: logits must be float32 [rows, classes ≥ 1], got ${logits.dtype} [${logits.shape}]`,
    );
  }
  const [rows, classes] = logits.shape;
  if (labels.dtype !== 'int32' || labels.shape.length !== 1 || labels.shape[0] !== rows) {
    throw new Error(
      `${kernel}: labels must be int32 [${rows}], got ${labels.dtype} [${labels.shape}]`,
    );
  }
  return [rows, classes];
}

/** Checks x [..., d], gain [d] and bias [d], all float32; returns [rows, d]. */
export function checkLayerNormOperands(
  kernel: string,
  x: tf.TensorInfo,
  gain: tf.TensorInfo,
  bias: tf.TensorInfo,
): [number, number] {
  const d = x.shape[x.shape.length - 1];
  if (x.dtype !== 'float32' || x.shape.length < 1 || !(d >= 1)) {
    throw new Error(`${kernel}: x must be float32 [..., d ≥ 1], got ${x.dtype} [${x.shape}]`);
  }
  for (const [name, t] of [
    ['gain', gain],
    ['bias', bias],
  ] as const) {
    if (t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== d) {
      throw new Error(`${kernel}: ${name} must be float32 [${d}], got ${t.dtype} [${t.shape}]`);
    }
  }
  return [sizeOf(x.shape) / d, d];
}

/** Checks that each named operand is float32 of its expected shape; the error names the first that is not. */
export function checkShapes(
  kernel: string,
  operands: readonly (readonly [string, tf.TensorInfo, readonly number[]])[],
): void {
  for (const [name, t, shape] of operands) {
    if (t.dtype !== 'float32' || t.shape.join() !== shape.join()) {
      throw new Error(`${kernel}: ${name} must be float32 [${shape}], got ${t.dtype} [${t.shape}]`);
    }
  }
}

/** C = op(A)·op(B) with broadcast batch dimensions, computed by OpenBLAS in the wasm memory. */
export function nativeBatchMatMul(
  blas: NativeBlas,
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) {
    throw new Error(`BatchMatMul needs rank >= 2 operands, got ${ra} and ${rb}`);
  }
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ` +
        `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  if (sizeOf(out.shape) === 0) return out;
  // Offsets are stable; the buffer is not (the memory may grow on allocation): see heapWith.
  blas.sgemmBatched(
    heapWith(backend, a, b, out),
    offsetOf(backend, a),
    offsetOf(backend, b),
    offsetOf(backend, out),
    m,
    n,
    k,
    transposeA,
    transposeB,
    batchIndex(outerA, outer),
    batchIndex(outerB, outer),
  );
  return out;
}

export const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
  leakyrelu: tf.LeakyRelu,
  prelu: tf.Prelu,
};

/** Runs a registered wasm kernel on tensor infos (bias add, activations). */
export function runWasmKernel(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown> = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({
    inputs,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/**
 * Checks the operands of the soft-target cross-entropy kernels: each of `big` float32 [N, V] like
 * the first, each of `rows` float32 [N]; returns [N, V].
 */
export function checkSoftXentOperands(
  kernel: string,
  big: Record<string, tf.TensorInfo>,
  rows: Record<string, tf.TensorInfo> = {},
): [number, number] {
  const [first, ...rest] = Object.entries(big);
  const [, logits] = first;
  if (logits.dtype !== 'float32' || logits.shape.length !== 2 || logits.shape[1] < 1) {
    throw new Error(
      `${kernel}: ${first[0]} must be float32 [rows, classes ≥ 1], got ${logits.dtype} [${logits.shape}]`,
    );
  }
  const [n, v] = logits.shape;
  const expect = (name: string, t: tf.TensorInfo, shape: number[]) => {
    if (t.dtype !== 'float32' || t.shape.join() !== shape.join()) {
      throw new Error(`${kernel}: ${name} must be float32 [${shape}], got ${t.dtype} [${t.shape}]`);
    }
  };
  for (const [name, t] of rest) expect(name, t, [n, v]);
  for (const [name, t] of Object.entries(rows)) expect(name, t, [n]);
  return [n, v];
}

/**
 * Checks the operands of the row-softmax kernels: `x` float32 [..., cols ≥ 1], every other given
 * operand float32 of x's shape (an absent optional one is skipped); returns [rows, cols].
 */
export function checkRowsOperands(
  kernel: string,
  x: tf.TensorInfo,
  others: Record<string, tf.TensorInfo | undefined>,
): [number, number] {
  const cols = x.shape[x.shape.length - 1];
  if (x.dtype !== 'float32' || x.shape.length < 1 || !(cols >= 1)) {
    throw new Error(`${kernel}: x must be float32 [..., cols ≥ 1], got ${x.dtype} [${x.shape}]`);
  }
  for (const [name, t] of Object.entries(others)) {
    if (t && (t.dtype !== 'float32' || t.shape.join() !== x.shape.join())) {
      throw new Error(
        `${kernel}: ${name} must be float32 [${x.shape}], got ${t.dtype} [${t.shape}]`,
      );
    }
  }
  return [sizeOf(x.shape) / cols, cols];
}

/** A kernel's positive `temperature` attribute (what divides its input), or an error naming it. */
export function temperatureOf(kernel: string, attrs: tf.NamedAttrMap | undefined): number {
  const tau = (attrs as { temperature?: unknown } | undefined)?.temperature ?? 1;
  if (typeof tau !== 'number' || !(tau > 0) || !Number.isFinite(tau)) {
    throw new Error(`${kernel}: temperature must be a finite number > 0, got ${String(tau)}`);
  }
  return tau;
}
