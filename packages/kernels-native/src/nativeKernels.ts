import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

/** The addon's functions (native/blas.c). */
export interface NativeBlas {
  /**
   * For each output batch i: C[i] = op(A[aIndex[i]]) · op(B[bIndex[i]]), row-major float32, all
   * operands inside `buffer` at the given byte offsets.
   */
  sgemmBatched(
    buffer: ArrayBuffer,
    aOffset: number,
    bOffset: number,
    cOffset: number,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aIndex: Int32Array,
    bIndex: Int32Array,
  ): void;
  /** y = exp(x) elementwise over n float32 values at byte offsets in `buffer`. */
  expFloat(buffer: ArrayBuffer, xOffset: number, yOffset: number, n: number): void;
  /**
   * Softmax cross-entropy with one label per row over `rows × classes` float32 logits: writes
   * lse[r] = log Σ_v exp(z[r,v]) and loss[r] = lse[r] − z[r, labels[r]] (labels int32 in
   * [0, classes), else a RangeError naming the row).
   */
  softmaxXent(
    buffer: ArrayBuffer,
    logitsOffset: number,
    labelsOffset: number,
    lossOffset: number,
    lseOffset: number,
    rows: number,
    classes: number,
  ): void;
  /** dz[r,v] = scale[r] · (exp(z[r,v] − lse[r]) − [v = labels[r]]). */
  softmaxXentGrad(
    buffer: ArrayBuffer,
    logitsOffset: number,
    lseOffset: number,
    labelsOffset: number,
    scaleOffset: number,
    outOffset: number,
    rows: number,
    classes: number,
  ): void;
  /** Layer norm over the last axis: y = (x − mean)·rstd·gain + bias; keeps mean and rstd per row. */
  layerNorm(
    buffer: ArrayBuffer,
    xOffset: number,
    gainOffset: number,
    biasOffset: number,
    yOffset: number,
    meanOffset: number,
    rstdOffset: number,
    rows: number,
    d: number,
    eps: number,
  ): void;
  /** Its gradient for dy: dx (rows × d), dgain (d) and dbias (d). */
  layerNormGrad(
    buffer: ArrayBuffer,
    xOffset: number,
    gainOffset: number,
    meanOffset: number,
    rstdOffset: number,
    dyOffset: number,
    dxOffset: number,
    dgainOffset: number,
    dbiasOffset: number,
    rows: number,
    d: number,
  ): void;
  /** Column sums out[j] = Σ_r x[r·inner + j] (a reduction over leading axes). */
  sumLeading(
    buffer: ArrayBuffer,
    xOffset: number,
    outOffset: number,
    rows: number,
    inner: number,
  ): void;
  /**
   * One Adam step over n float32 values: w, g, m, v in, w', m', v' out (byte offsets);
   * hyper = [lr, beta1, beta2, eps, epsRoot, weightDecay, t].
   */
  adamUpdate(
    buffer: ArrayBuffer,
    wOffset: number,
    gOffset: number,
    mOffset: number,
    vOffset: number,
    wOutOffset: number,
    mOutOffset: number,
    vOutOffset: number,
    n: number,
    hyper: Float64Array,
  ): void;
  /** OpenBLAS's thread count (OPENBLAS_NUM_THREADS, default: the number of cores). */
  threads(): number;
  /** OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH … Zen". */
  config(): string;
}

/**
 * Fused sparse softmax cross-entropy, a kernel a backend may register. Inputs `logits` [N, V]
 * float32 and `labels` [N] int32 in [0, V); outputs `loss` [N] (= lse − logits[n, label]) and
 * `lse` [N] (log Σ exp over the row). Callers check `tf.getKernel(name, backend)` and otherwise
 * compose the same function from standard ops.
 */
export const SPARSE_SOFTMAX_XENT = 'FarziSparseSoftmaxCrossEntropy';
/**
 * Its gradient: inputs `logits` [N, V], `lse` [N], `labels` [N], `scale` [N]; output [N, V] =
 * scale[n] · (softmax(logits)[n, v] − [v = labels[n]]).
 */
export const SPARSE_SOFTMAX_XENT_GRAD = 'FarziSparseSoftmaxCrossEntropyGrad';

/**
 * Fused layer norm over the last axis: inputs `x` [..., d], `gain` [d], `bias` [d], attribute
 * `epsilon`; outputs `y` (x's shape), `mean` and `rstd` (one per row, rows = size / d).
 */
export const LAYER_NORM = 'FarziLayerNorm';
/** Its gradient: inputs `x`, `gain`, `mean`, `rstd`, `dy`; outputs dx (x's shape), dgain, dbias. */
export const LAYER_NORM_GRAD = 'FarziLayerNormGrad';

/**
 * One Adam step: inputs `w`, `g`, `m`, `v` (same shape, float32), attributes `learningRate`,
 * `beta1`, `beta2`, `eps`, `epsRoot`, `weightDecay` and `t` (the step number, from 1); outputs the
 * updated `w`, `m` and `v`. Not differentiable (the trainer's update runs outside any tape).
 */
export const ADAM_UPDATE = 'FarziAdamUpdate';

/** The fused kernels a backend may register, by role (see each name's documentation). */
export const FUSED_KERNELS = {
  adamUpdate: ADAM_UPDATE,
  softmaxXent: SPARSE_SOFTMAX_XENT,
  softmaxXentGrad: SPARSE_SOFTMAX_XENT_GRAD,
  layerNorm: LAYER_NORM,
  layerNormGrad: LAYER_NORM_GRAD,
} as const;

/** What the wasm backend gains when the addon loads. */
export interface NativeKernels {
  /**
   * Kernel configs for the `wasm` backend: BatchMatMul, _FusedMatMul, Exp and the fused sparse
   * softmax cross-entropy with its gradient.
   */
  readonly kernels: tf.KernelConfig[];
  /** One line for logs, e.g. "OpenBLAS 0.3.21 … (2 threads)". */
  readonly description: string;
}

const PACKAGE_ROOT = path.resolve(__dirname, '..');
const ADDON = path.join(PACKAGE_ROOT, 'build', 'Release', 'farzi_blas.node');
const UNAVAILABLE = path.join(PACKAGE_ROOT, 'build', 'unavailable.txt');

let cached: NativeBlas | string | undefined;

/** The loaded addon, or why it cannot load (one line). */
export function nativeBlas(): NativeBlas | string {
  if (cached !== undefined) return cached;
  if (!fs.existsSync(ADDON)) {
    const why = fs.existsSync(UNAVAILABLE)
      ? fs.readFileSync(UNAVAILABLE, 'utf8').split('\n')[0]
      : 'the addon was never built (run npm rebuild @farzi/kernels-native)';
    cached = `the OpenBLAS addon is not built: ${why}`;
    return cached;
  }
  try {
    // A path require: the addon is a build product, not a module TypeScript can see.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require(ADDON) as NativeBlas;
  } catch (error) {
    cached = `the OpenBLAS addon did not load (${(error as Error).message.split('\n')[0]})`;
  }
  return cached;
}

/** The subset of the wasm backend the kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * For every index of the broadcast batch shape `outer`, the flat batch index into an operand whose
 * batch shape is `own` (numpy broadcasting: missing leading dims and dims of size 1 repeat).
 */
function batchIndex(own: number[], outer: number[]): Int32Array {
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

/** A tensor's byte offset in the wasm memory (stable while the tensor lives). */
function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('wasm-native: an operand has no data in the wasm memory');
  return data.memoryOffset;
}

/** Checks logits [N, V] float32 and labels [N] int32; returns [N, V]. */
function checkXentOperands(
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
function checkLayerNormOperands(
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

/** C = op(A)·op(B) with broadcast batch dimensions, computed by OpenBLAS in the wasm memory. */
function nativeBatchMatMul(
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
  // Offsets are stable; the buffer is not (the memory may grow on allocation): take it last.
  blas.sgemmBatched(
    backend.wasm.HEAPU8.buffer as ArrayBuffer,
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

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  sigmoid: tf.Sigmoid,
  leakyrelu: tf.LeakyRelu,
  prelu: tf.Prelu,
};

/** Runs a registered wasm kernel on tensor infos (bias add, activations). */
function runWasmKernel(
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
 * The native kernels for the wasm backend, or why they are unavailable. Float32 operands go through
 * OpenBLAS; other dtypes use `fallback(kernelName)` (the kernel that was registered before).
 */
export function loadNativeKernels(
  fallback: (kernelName: string) => tf.KernelFunc | undefined = () => undefined,
): NativeKernels | string {
  const other = (name: string, args: Parameters<tf.KernelFunc>[0]) => {
    const f = fallback(name);
    if (!f) throw new Error(`${name} (wasm-native): only float32 operands are supported`);
    return f(args);
  };
  const blas = nativeBlas();
  if (typeof blas === 'string') return blas;
  const batchMatMul: tf.KernelConfig = {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
      };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return other(tf.BatchMatMul, args);
      return nativeBatchMatMul(
        blas,
        args.backend as unknown as WasmBackend,
        a,
        b,
        transposeA,
        transposeB,
      );
    },
  };
  const fusedMatMul: tf.KernelConfig = {
    kernelName: tf._FusedMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo>;
      const attrs = args.attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
        activation: string;
        leakyreluAlpha?: number;
      };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return other(tf._FusedMatMul, args);
      const backend = args.backend as unknown as WasmBackend;
      let out = nativeBatchMatMul(blas, backend, a, b, attrs.transposeA, attrs.transposeB);
      const replace = (next: tf.TensorInfo) => {
        backend.disposeData(out.dataId);
        out = next;
      };
      if (bias) replace(runWasmKernel(tf.Add, backend, { a: out, b: bias }));
      const activation = attrs.activation ?? 'linear';
      if (activation !== 'linear') {
        const kernel = ACTIVATION_KERNELS[activation];
        if (!kernel) throw new Error(`_FusedMatMul: unsupported activation "${activation}"`);
        if (activation === 'prelu') {
          replace(runWasmKernel(kernel, backend, { x: out, alpha: preluActivationWeights }));
        } else if (activation === 'leakyrelu') {
          replace(
            runWasmKernel(kernel, backend, { x: out }, { alpha: attrs.leakyreluAlpha ?? 0.2 }),
          );
        } else {
          replace(runWasmKernel(kernel, backend, { x: out }));
        }
      }
      return out;
    },
  };
  // Exp over the vocabulary (softmax, cross-entropy) is the top kernel once matmuls are native:
  // the built-in takes ~17 ns per value here, the vectorised loop ~1.2 ns.
  const exp: tf.KernelConfig = {
    kernelName: tf.Exp,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      if (x.dtype !== 'float32') return other(tf.Exp, args);
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(x.shape, 'float32');
      const n = sizeOf(x.shape);
      if (n > 0) {
        blas.expFloat(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
          offsetOf(backend, x),
          offsetOf(backend, out),
          n,
        );
      }
      return out;
    },
  };
  // The cross-entropy over the vocabulary: one pass for the loss and one for its gradient instead
  // of the ~15 elementwise passes over [rows × |V|] that the composed ops take.
  const xent: tf.KernelConfig = {
    kernelName: SPARSE_SOFTMAX_XENT,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, labels } = args.inputs as { logits: tf.TensorInfo; labels: tf.TensorInfo };
      const [rows, classes] = checkXentOperands(SPARSE_SOFTMAX_XENT, logits, labels);
      const backend = args.backend as unknown as WasmBackend;
      const loss = backend.makeOutput([rows], 'float32');
      const lse = backend.makeOutput([rows], 'float32');
      if (rows > 0) {
        blas.softmaxXent(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
          offsetOf(backend, logits),
          offsetOf(backend, labels),
          offsetOf(backend, loss),
          offsetOf(backend, lse),
          rows,
          classes,
        );
      }
      return [loss, lse];
    },
  };
  const xentGrad: tf.KernelConfig = {
    kernelName: SPARSE_SOFTMAX_XENT_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { logits, lse, labels, scale } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, classes] = checkXentOperands(SPARSE_SOFTMAX_XENT_GRAD, logits, labels);
      for (const [name, t] of [
        ['lse', lse],
        ['scale', scale],
      ] as const) {
        if (t.dtype !== 'float32' || t.shape.length !== 1 || t.shape[0] !== rows) {
          throw new Error(
            `${SPARSE_SOFTMAX_XENT_GRAD}: ${name} must be float32 [${rows}], got ${t.dtype} [${t.shape}]`,
          );
        }
      }
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput([rows, classes], 'float32');
      if (rows > 0) {
        blas.softmaxXentGrad(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
          offsetOf(backend, logits),
          offsetOf(backend, lse),
          offsetOf(backend, labels),
          offsetOf(backend, scale),
          offsetOf(backend, out),
          rows,
          classes,
        );
      }
      return out;
    },
  };
  const layerNorm: tf.KernelConfig = {
    kernelName: LAYER_NORM,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, gain, bias } = args.inputs as Record<string, tf.TensorInfo>;
      const { epsilon } = args.attrs as unknown as { epsilon: number };
      const [rows, d] = checkLayerNormOperands(LAYER_NORM, x, gain, bias);
      const backend = args.backend as unknown as WasmBackend;
      const y = backend.makeOutput(x.shape, 'float32');
      const mean = backend.makeOutput([rows], 'float32');
      const rstd = backend.makeOutput([rows], 'float32');
      if (rows > 0) {
        blas.layerNorm(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
          offsetOf(backend, x),
          offsetOf(backend, gain),
          offsetOf(backend, bias),
          offsetOf(backend, y),
          offsetOf(backend, mean),
          offsetOf(backend, rstd),
          rows,
          d,
          epsilon,
        );
      }
      return [y, mean, rstd];
    },
  };
  const layerNormGrad: tf.KernelConfig = {
    kernelName: LAYER_NORM_GRAD,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x, gain, mean, rstd, dy } = args.inputs as Record<string, tf.TensorInfo>;
      const [rows, d] = checkLayerNormOperands(LAYER_NORM_GRAD, x, gain, gain);
      for (const [name, t, shape] of [
        ['mean', mean, [rows]],
        ['rstd', rstd, [rows]],
        ['dy', dy, x.shape],
      ] as const) {
        if (t.dtype !== 'float32' || t.shape.join() !== shape.join()) {
          throw new Error(
            `${LAYER_NORM_GRAD}: ${name} must be float32 [${shape}], got ${t.dtype} [${t.shape}]`,
          );
        }
      }
      const backend = args.backend as unknown as WasmBackend;
      const dx = backend.makeOutput(x.shape, 'float32');
      const dgain = backend.makeOutput([d], 'float32');
      const dbias = backend.makeOutput([d], 'float32');
      blas.layerNormGrad(
        backend.wasm.HEAPU8.buffer as ArrayBuffer,
        offsetOf(backend, x),
        offsetOf(backend, gain),
        offsetOf(backend, mean),
        offsetOf(backend, rstd),
        offsetOf(backend, dy),
        offsetOf(backend, dx),
        offsetOf(backend, dgain),
        offsetOf(backend, dbias),
        rows,
        d,
      );
      return [dx, dgain, dbias];
    },
  };
  // Bias gradients reduce [B·L, d] over the leading axis; the built-in transposes first.
  const sum: tf.KernelConfig = {
    kernelName: tf.Sum,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as {
        axis: number | number[];
        keepDims: boolean;
      };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
      const k = axes.length;
      const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
      if (!leading || x.dtype !== 'float32') return other(tf.Sum, args);
      const rows = sizeOf(x.shape.slice(0, k));
      const inner = sizeOf(x.shape.slice(k));
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(
        keepDims ? x.shape.map((s, i) => (i < k ? 1 : s)) : x.shape.slice(k),
        'float32',
      );
      if (inner > 0) {
        blas.sumLeading(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
          offsetOf(backend, x),
          offsetOf(backend, out),
          rows,
          inner,
        );
      }
      return out;
    },
  };
  const adam: tf.KernelConfig = {
    kernelName: ADAM_UPDATE,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { w, g, m, v } = args.inputs as Record<string, tf.TensorInfo>;
      const a = args.attrs as unknown as Record<string, number>;
      for (const [name, t] of [
        ['g', g],
        ['m', m],
        ['v', v],
      ] as const) {
        if (t.dtype !== 'float32' || w.dtype !== 'float32' || t.shape.join() !== w.shape.join()) {
          throw new Error(
            `${ADAM_UPDATE}: ${name} must be float32 [${w.shape}] like w, got ${t.dtype} [${t.shape}]`,
          );
        }
      }
      const backend = args.backend as unknown as WasmBackend;
      const outs = [0, 1, 2].map(() => backend.makeOutput(w.shape, 'float32'));
      const n = sizeOf(w.shape);
      if (n > 0) {
        blas.adamUpdate(
          backend.wasm.HEAPU8.buffer as ArrayBuffer,
          offsetOf(backend, w),
          offsetOf(backend, g),
          offsetOf(backend, m),
          offsetOf(backend, v),
          offsetOf(backend, outs[0]),
          offsetOf(backend, outs[1]),
          offsetOf(backend, outs[2]),
          n,
          Float64Array.of(a.learningRate, a.beta1, a.beta2, a.eps, a.epsRoot, a.weightDecay, a.t),
        );
      }
      return outs;
    },
  };
  return {
    kernels: [batchMatMul, fusedMatMul, exp, xent, xentGrad, layerNorm, layerNormGrad, sum, adam],
    description: `${blas.config().split(' ').slice(0, 2).join(' ')}, ${blas.threads()} threads`,
  };
}
