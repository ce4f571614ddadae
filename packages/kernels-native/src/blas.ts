import * as fs from 'fs';
import * as path from 'path';

/** The addon's functions (the C files under native/, one per kernel family). */
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
  /**
   * Cross-entropy against soft targets over `rows × classes` float32 logits z and targets t:
   * loss[r] = Σ_v t[r,v]·(lse(z[r]) − z[r,v]) (row sums in double).
   */
  softXent(
    buffer: ArrayBuffer,
    logitsOffset: number,
    targetsOffset: number,
    lossOffset: number,
    rows: number,
    classes: number,
  ): void;
  /** Its gradient in z for a row scale y: out[r] = y[r]·(s_r·softmax(z[r]) − t[r]), s_r = Σ_v t[r,v]. */
  softXentGrad(
    buffer: ArrayBuffer,
    logitsOffset: number,
    targetsOffset: number,
    scaleOffset: number,
    outOffset: number,
    rows: number,
    classes: number,
  ): void;
  /**
   * The gradient of `softXentGrad`'s output against a cotangent u, with p = softmax(z[r]) and
   * pu = ⟨p, u[r]⟩: dLogits = y·s·p ⊙ (u − pu), dTargets = y·(pu − u), dScale = s·pu − ⟨t, u⟩.
   */
  softXentGradGrad(
    buffer: ArrayBuffer,
    logitsOffset: number,
    targetsOffset: number,
    scaleOffset: number,
    cotangentOffset: number,
    dLogitsOffset: number,
    dTargetsOffset: number,
    dScaleOffset: number,
    rows: number,
    classes: number,
  ): void;
  /**
   * Softmax over each row of x/τ + b (`rows × cols` float32; biasOffset −1: no b), row sums in
   * double: y = p = softmax(x[r]/τ + b[r]).
   */
  softmaxRows(
    buffer: ArrayBuffer,
    xOffset: number,
    biasOffset: number,
    yOffset: number,
    rows: number,
    cols: number,
    temperature: number,
  ): void;
  /** Its gradient in x for a cotangent a of p: dx = p ⊙ (a − ⟨p, a⟩)/τ (b is a constant). */
  softmaxRowsGrad(
    buffer: ArrayBuffer,
    xOffset: number,
    biasOffset: number,
    dyOffset: number,
    dxOffset: number,
    rows: number,
    cols: number,
    temperature: number,
  ): void;
  /**
   * The gradient of `softmaxRowsGrad`'s output against a cotangent u, in x and in a: with
   * pu = ⟨p, u⟩, pa = ⟨p, a⟩ and c = u⊙a − pu·a − pa·u, dx = p ⊙ (c − ⟨p, c⟩)/τ² and
   * da = p ⊙ (u − pu)/τ.
   */
  softmaxRowsGradGrad(
    buffer: ArrayBuffer,
    xOffset: number,
    biasOffset: number,
    dyOffset: number,
    cotangentOffset: number,
    dxOffset: number,
    dDyOffset: number,
    rows: number,
    cols: number,
    temperature: number,
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
  /**
   * The gradient of `layerNormGrad`'s outputs (dx, dgain, dbias) against cotangents ux (rows × d),
   * ug and ub (d), as a function of x (mean and rstd following it), gain and dy: writes dX
   * (rows × d), dGain (d) and dDy (rows × d). Row sums in double.
   */
  layerNormGradGrad(
    buffer: ArrayBuffer,
    xOffset: number,
    gainOffset: number,
    meanOffset: number,
    rstdOffset: number,
    dyOffset: number,
    uxOffset: number,
    ugOffset: number,
    ubOffset: number,
    dXOffset: number,
    dGainOffset: number,
    dDyOffset: number,
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
  /** Row sums out[r] = Σ_c x[r·cols + c] (a reduction over trailing axes). */
  sumTrailing(
    buffer: ArrayBuffer,
    xOffset: number,
    outOffset: number,
    rows: number,
    cols: number,
  ): void;
  /** Row maxima out[r] over the last axis, as TensorFlow.js's Max (NaN when the row has one). */
  maxTrailing(
    buffer: ArrayBuffer,
    xOffset: number,
    outOffset: number,
    rows: number,
    cols: number,
  ): void;
  /**
   * out[r, c] = a ∘ b (op 0 add, 1 subtract, 2 multiply, 3 divide) over rows × cols float32 values, each
   * operand of a kind: 0 full [rows, cols], 1 scalar, 2 one value per row, 3 one value per column.
   */
  binaryFloat(
    buffer: ArrayBuffer,
    op: number,
    aOffset: number,
    aKind: number,
    bOffset: number,
    bKind: number,
    outOffset: number,
    rows: number,
    cols: number,
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
  /**
   * Adam's exact update (mode 0) and the two halves of its reversal (1: adjoint, 2: restore) over
   * n float32 values: `offsets` the operands' byte offsets (inputs, then outputs: 7 / 10 / 12),
   * `scalars` the float32 constants of the mode (12 / 10 / 5; see native/adamExact.c).
   */
  adamExact(
    buffer: ArrayBuffer,
    mode: number,
    offsets: Float64Array,
    n: number,
    scalars: Float64Array,
  ): void;
  /** OpenBLAS's thread count (OPENBLAS_NUM_THREADS, default: the number of cores). */
  threads(): number;
  /** OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH … Zen". */
  config(): string;
}

const PACKAGE_ROOT = path.resolve(__dirname, '..');
const ADDON = path.join(PACKAGE_ROOT, 'build', 'Release', 'farzi_blas.node');
const UNAVAILABLE = path.join(PACKAGE_ROOT, 'build', 'unavailable.txt');

let cached: NativeBlas | string | undefined;

/** The OpenBLAS settings `nativeBlas` applies when the environment does not name them. */
export const OPENBLAS_DEFAULTS: Readonly<Record<string, string>> = { OPENBLAS_THREAD_TIMEOUT: '4' };
// Which of them the user set, read before nativeBlas can have set any (this module's load).
const USER_SET = new Set(
  Object.keys(OPENBLAS_DEFAULTS).filter((k) => process.env[k] !== undefined),
);

/**
 * `env` without the OpenBLAS defaults this package added to the process's environment: what a
 * child process (e.g. a PyTorch baseline) would have seen had this package not loaded.
 */
export function userEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of Object.keys(OPENBLAS_DEFAULTS)) if (!USER_SET.has(k)) delete out[k];
  return out;
}

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
  // OpenBLAS's idle worker threads spin on sched_yield for 2^28 cycles (~0.1 s) after each product
  // before they sleep. Between products this project's other kernels run on the same cores (two
  // threads in the elementwise ones), and the spinner takes one from them: an ml-100k [50×50]
  // outer step spent 5.7 s of system time in those yields against 0.8 s at the smallest timeout
  // (2^4 cycles), wall 0.94× (BENCHMARKS, issue 36). Read once, when OpenBLAS loads with the addon;
  // a value the user set is kept.
  for (const [k, v] of Object.entries(OPENBLAS_DEFAULTS)) process.env[k] ??= v;
  try {
    // A path require: the addon is a build product, not a module TypeScript can see.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require(ADDON) as NativeBlas;
  } catch (error) {
    cached = `the OpenBLAS addon did not load (${(error as Error).message.split('\n')[0]})`;
  }
  return cached;
}
