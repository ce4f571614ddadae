import * as tf from '@tensorflow/tfjs-core';
import { AdamHyper, adamAdjoint, adamRestore, Model } from '@farzi/core';
import { disposeInnerState, InnerState, stepHyper, syntheticGradient, toParams } from './innerLoop';
import { chunkLoss, SoftSequences, SyntheticChunk, SyntheticData } from './softSequences';

export type SecondOrderMethod = 'exact' | 'finite-difference';

export interface ReverseOptions {
  readonly hyper: AdamHyper;
  /** Per-step learning rates α_1..α_T (default: hyper.learningRate throughout). */
  readonly learningRates?: readonly number[];
  readonly method: SecondOrderMethod;
  /** States kept during the forward run (step → state); the reversal resets to them (drift control). */
  readonly kept?: Map<number, InnerState>;
  /** Finite-difference radius relative to |dg| (method "finite-difference"). */
  readonly fdEpsilon?: number;
  readonly onStep?: (step: number) => void;
}

export interface MetaGradient {
  /** dL/d(parameters of the synthetic sequences), by name. */
  readonly grads: Record<string, tf.Tensor>;
  /** dL/dα_t for t = 1..T (shape [T]): the gradient w.r.t. each inner step's learning rate. */
  readonly learningRates: tf.Tensor;
  /** The gradient w.r.t. the inner loop's starting parameters w₀ (for diagnostics). */
  readonly w0: tf.Tensor[];
  /** The w₀ the reversal reconstructed (compare with the true w₀ to measure float32 drift). */
  readonly reconstructedW0: tf.Tensor[];
  /** Where the reverse pass spent its time (seconds). */
  readonly phases: ReversePhases;
}

/**
 * The reverse pass's time by phase: the inner gradient with the second-order products (one shared
 * pass, or a gradient pass then the products when the data is chunked), the Adam inversion and
 * adjoint updates around them, and the one pull-back of dL/dX to the parameters.
 */
export interface ReversePhases {
  products: number;
  adjoint: number;
  pullBack: number;
}

/** What one reverse step needs from the inner loss at w_{t−1}: its gradient and second products. */
interface Products {
  /** g = ∇_w L(w_{t−1}) (the gradient the forward step used). */
  readonly g: tf.Tensor[];
  /** H_ww·dg. */
  readonly hw: tf.Tensor[];
  /** H_Xw·dg for each chunk's decoded inputs and targets X (pulled back to the parameters once per outer step). */
  readonly hx: { readonly inputs: tf.Tensor; readonly targets: tf.Tensor }[];
}

/** The vector dg of the products, from the gradient g (it depends on g through Adam's v). */
type VectorOf = (g: tf.Tensor[]) => tf.Tensor[];

/**
 * Σᵢ ⟨gᵢ, dgᵢ⟩ with dg = dgOf(g) held constant: one recorded node whose gradient is dy·dg. dg is
 * computed inside a custom gradient's forward pass, where nothing records, so the double backward
 * neither differentiates nor clones its ops (behind a stop-gradient they were ~25 recorded kernels
 * per parameter and reverse step).
 */
function constantDot(g: tf.Tensor[], dgOf: (g: tf.Tensor[]) => tf.Tensor[]): tf.Scalar {
  const dot = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const gs = args as tf.Tensor[];
    const dg = dgOf(gs);
    save(dg);
    return {
      value: tf.addN(gs.map((gi, i) => tf.sum(tf.mul(gi, dg[i])))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved.map((d) => tf.mul(dy, d)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    ...g: tf.Tensor[]
  ) => tf.Scalar;
  return dot(...g);
}

/** A chunk's loss as a function of (w…, inputs, targets). */
function lossOf(model: Model, names: string[], chunk: SyntheticChunk) {
  const n = names.length;
  return (...args: tf.Tensor[]): tf.Scalar =>
    chunkLoss(model, toParams(names, args.slice(0, n)), chunk, args[n], args[n + 1]);
}

/** ⟨∇_w L_chunk, dg⟩ at (w, X) for double backward. */
function gradientDot(
  model: Model,
  names: string[],
  chunk: SyntheticChunk,
  args: tf.Tensor[],
  dgOf: (g: tf.Tensor[]) => tf.Tensor[],
): tf.Scalar {
  const n = names.length;
  const [inputs, targets] = args.slice(n);
  const loss = lossOf(model, names, chunk);
  const g = tf.grads((...ws: tf.Tensor[]) => loss(...ws, inputs, targets))(args.slice(0, n));
  return constantDot(g, dgOf);
}

/**
 * Exact products by double backward through the second-order-safe ops. With one chunk, one pass
 * yields g too: the gradient computed inside the differentiated function is kept, and dg is formed
 * from it as a constant (`constantDot`), so g and the products share their forward pass. With several
 * chunks g must be complete before dg exists: a first-order pass first, then one product per chunk.
 */
function exactProducts(
  model: Model,
  names: string[],
  w: tf.Tensor[],
  data: SyntheticData,
  vectorOf: VectorOf,
): Products {
  const n = w.length;
  if (data.length === 1) {
    const chunk = data[0];
    let g: tf.Tensor[] = [];
    const dot = (...args: tf.Tensor[]) =>
      gradientDot(model, names, chunk, args, (inner) => {
        g = inner.map((gi) => tf.keep(gi));
        return vectorOf(inner);
      });
    const grads = tf.grads(dot)([...w, chunk.inputs, chunk.targets]);
    return { g, hw: grads.slice(0, n), hx: [{ inputs: grads[n], targets: grads[n + 1] }] };
  }
  const g = syntheticGradient(model, names, w, data);
  const dg = vectorOf(g);
  const perChunk = data.map((chunk) =>
    tf.grads((...args: tf.Tensor[]) => gradientDot(model, names, chunk, args, () => dg))([
      ...w,
      chunk.inputs,
      chunk.targets,
    ]),
  );
  return {
    g,
    hw: w.map((_, i) => tf.addN(perChunk.map((p) => p[i]))),
    hx: perChunk.map((p) => ({ inputs: p[n], targets: p[n + 1] })),
  };
}

/** Products by central differences of first-order gradients at w ± r·dg (r = ε/|dg|). */
function finiteDifferenceProducts(
  model: Model,
  names: string[],
  w: tf.Tensor[],
  data: SyntheticData,
  vectorOf: VectorOf,
  fdEpsilon: number,
): Products {
  const n = w.length;
  const g = syntheticGradient(model, names, w, data);
  const dg = vectorOf(g);
  const norm = Math.sqrt(tf.addN(dg.map((d) => tf.sum(tf.square(d)))).dataSync()[0]);
  const r = fdEpsilon / Math.max(norm, 1e-12);
  const perChunk = data.map((chunk) => {
    const gradsAt = (sign: number) =>
      tf.grads(lossOf(model, names, chunk))([
        ...w.map((wi, i) => tf.add(wi, tf.mul(dg[i], sign * r))),
        chunk.inputs,
        chunk.targets,
      ]);
    const plus = gradsAt(1);
    const minus = gradsAt(-1);
    return plus.map((p, i) => tf.div(tf.sub(p, minus[i]), 2 * r));
  });
  return {
    g,
    hw: w.map((_, i) => tf.addN(perChunk.map((p) => p[i]))),
    hx: perChunk.map((p) => ({ inputs: p[n], targets: p[n + 1] })),
  };
}

/**
 * Reverse-mode differentiation of T Adam steps (FARZI.md): starting from the final state and
 * dL/dw_T, walk the steps backwards, inverting each update instead of storing the trajectory, and
 * accumulate dL/dX for the decoded synthetic inputs and targets through mixed second derivatives;
 * the gradient w.r.t. the sequences' parameters (Farzi: F and M) comes from one pull-back at the
 * end. Memory does not grow with T. Takes ownership of `final` and `dwFinal` (disposes them); the
 * caller owns `synthetic`, the decoding of `sequences`.
 */
export function reverseAdam(
  model: Model,
  names: string[],
  final: InnerState,
  dwFinal: tf.Tensor[],
  sequences: SoftSequences,
  synthetic: SyntheticData,
  options: ReverseOptions,
): MetaGradient {
  const fdEpsilon = options.fdEpsilon ?? 1e-3;
  let w = final.w;
  let m = final.m;
  let v = final.v;
  let dw = dwFinal;
  let dm = w.map((t) => tf.zerosLike(t));
  let dv = w.map((t) => tf.zerosLike(t));
  // dL/dX per chunk of the decoded data, summed over the inner steps.
  let dx: { inputs: tf.Tensor; targets: tf.Tensor }[] = synthetic.map((c) => ({
    inputs: tf.zerosLike(c.inputs),
    targets: tf.zerosLike(c.targets),
  }));
  const dAlpha: tf.Tensor[] = new Array(final.step);
  const phases: ReversePhases = { products: 0, adjoint: 0, pullBack: 0 };
  for (let t = final.step; t >= 1; t--) {
    const h = stepHyper(options, t);
    const started = performance.now();
    let productMs = 0;
    const out = tf.tidy(() => {
      const stored = options.kept?.get(t - 1);
      // Invert the step and carry the adjoints through its update of w (unless the checkpointed
      // variant stored w_{t−1} exactly).
      const adjoints = w.map((wt, i) =>
        adamAdjoint(wt, m[i], v[i], dw[i], dm[i], dv[i], t, h, stored?.w[i]),
      );
      const wPrev = adjoints.map((a) => a.previous);
      const dmT = adjoints.map((a) => a.dm);
      const dvT = adjoints.map((a) => a.dv);
      // dL/dα_t = ⟨dL/dw_t, ∂w_t/∂α_t⟩ with ∂w_t/∂α_t = −(m̂/(√(v̂+ε_r) + ε) + λ w_{t−1}).
      const dAlphaT = tf.neg(tf.addN(adjoints.map((a) => tf.sum(a.alpha))));
      // dg = dL/dg_t: through m_t = β1 m + (1−β1) g and v_t = β2 v + (1−β2) g².
      const vectorOf: VectorOf = (g) =>
        g.map((gi, i) =>
          tf.add(tf.mul(dmT[i], 1 - h.beta1), tf.mul(tf.mul(gi, dvT[i]), 2 * (1 - h.beta2))),
        );
      const before = performance.now();
      const p =
        options.method === 'exact'
          ? exactProducts(model, names, wPrev, synthetic, vectorOf)
          : finiteDifferenceProducts(model, names, wPrev, synthetic, vectorOf, fdEpsilon);
      productMs = performance.now() - before;
      const restored = p.g.map((gi, i) =>
        adamRestore(m[i], v[i], gi, dw[i], p.hw[i], dmT[i], dvT[i], t, h),
      );
      // The shared exact products keep g out of their tape's scope: free it here.
      if (options.method === 'exact' && synthetic.length === 1) tf.dispose(p.g);
      return {
        w: wPrev,
        m: stored ? stored.m.map((x) => tf.clone(x)) : restored.map((r) => r.m),
        v: stored ? stored.v.map((x) => tf.clone(x)) : restored.map((r) => r.v),
        dw: restored.map((r) => r.dw),
        dm: restored.map((r) => r.dm),
        dv: restored.map((r) => r.dv),
        dx: dx.map((d, c) => ({
          inputs: tf.add(d.inputs, p.hx[c].inputs),
          targets: tf.add(d.targets, p.hx[c].targets),
        })),
        dAlpha: dAlphaT,
      };
    });
    phases.products += productMs / 1000;
    phases.adjoint += (performance.now() - started - productMs) / 1000;
    dAlpha[t - 1] = out.dAlpha;
    tf.dispose([
      ...w,
      ...m,
      ...v,
      ...dw,
      ...dm,
      ...dv,
      ...dx.flatMap((d) => [d.inputs, d.targets]),
    ]);
    ({ w, m, v, dw, dm, dv, dx } = out);
    options.onStep?.(t);
  }
  tf.dispose([...m, ...v, ...dm, ...dv]);
  if (options.kept) for (const s of options.kept.values()) disposeInnerState(s);
  const learningRates = dAlpha.length ? tf.stack(dAlpha) : tf.zeros([0]);
  tf.dispose(dAlpha);
  const pullStart = performance.now();
  const grads = sequences.pullBack(
    dx.map((d, c) => ({ chunk: synthetic[c], dInputs: d.inputs, dTargets: d.targets })),
  );
  tf.dispose(dx.flatMap((d) => [d.inputs, d.targets]));
  phases.pullBack = (performance.now() - pullStart) / 1000;
  return {
    phases,
    grads,
    learningRates,
    w0: dw,
    reconstructedW0: w,
  };
}
