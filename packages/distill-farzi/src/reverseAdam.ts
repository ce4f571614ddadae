import * as tf from '@tensorflow/tfjs';
import { AdamHyper, Model } from '@farzi/core';
import {
  disposeInnerState,
  InnerData,
  InnerState,
  stepHyper,
  syntheticLoss,
  toParams,
} from './innerLoop';

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
  readonly latent: tf.Tensor;
  readonly decoder: tf.Tensor;
  /** dL/dα_t for t = 1..T (shape [T]): the gradient w.r.t. each inner step's learning rate. */
  readonly learningRates: tf.Tensor;
  /** The gradient w.r.t. the inner loop's starting parameters w₀ (for diagnostics). */
  readonly w0: tf.Tensor[];
  /** The w₀ the reversal reconstructed (compare with the true w₀ to measure float32 drift). */
  readonly reconstructedW0: tf.Tensor[];
}

/**
 * Products of the inner loss's second derivatives with a vector `dg` at (w, F, M):
 * H_ww·dg (Hessian-vector product) and H_xw·dg (mixed, for F and M), either by double backward
 * through the second-order-safe ops or by central differences of first-order gradients.
 */
function secondOrderProducts(
  model: Model,
  names: string[],
  w: tf.Tensor[],
  dg: tf.Tensor[],
  data: InnerData,
  method: SecondOrderMethod,
  fdEpsilon: number,
): { hw: tf.Tensor[]; hLatent: tf.Tensor; hDecoder: tf.Tensor } {
  const { latent, decoder, temperature } = data;
  const n = w.length;
  if (method === 'exact') {
    const f = (...args: tf.Tensor[]): tf.Scalar => {
      const ws = args.slice(0, n);
      const [F, M] = args.slice(n);
      const g = tf.grads((...inner: tf.Tensor[]) =>
        syntheticLoss(model, toParams(names, inner), F, M, temperature),
      )(ws);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, dg[i])))) as tf.Scalar;
    };
    const grads = tf.grads(f)([...w, latent, decoder]);
    return { hw: grads.slice(0, n), hLatent: grads[n], hDecoder: grads[n + 1] };
  }
  const norm = Math.sqrt(tf.addN(dg.map((d) => tf.sum(tf.square(d)))).dataSync()[0]);
  const r = fdEpsilon / Math.max(norm, 1e-12);
  const gradsAt = (sign: number) =>
    tf.grads((...args: tf.Tensor[]) =>
      syntheticLoss(model, toParams(names, args.slice(0, n)), args[n], args[n + 1], temperature),
    )([...w.map((wi, i) => tf.add(wi, tf.mul(dg[i], sign * r))), latent, decoder]);
  const plus = gradsAt(1);
  const minus = gradsAt(-1);
  const diff = plus.map((p, i) => tf.div(tf.sub(p, minus[i]), 2 * r));
  return { hw: diff.slice(0, n), hLatent: diff[n], hDecoder: diff[n + 1] };
}

/**
 * Reverse-mode differentiation of T Adam steps (FARZI.md): starting from the final state and
 * dL/dw_T, walk the steps backwards, inverting each update instead of storing the trajectory, and
 * accumulate dL/dF and dL/dM through mixed second derivatives. Memory does not grow with T.
 * Takes ownership of `final` and `dwFinal` (disposes them).
 */
export function reverseAdam(
  model: Model,
  names: string[],
  final: InnerState,
  dwFinal: tf.Tensor[],
  data: InnerData,
  options: ReverseOptions,
): MetaGradient {
  const fdEpsilon = options.fdEpsilon ?? 1e-3;
  let w = final.w;
  let m = final.m;
  let v = final.v;
  let dw = dwFinal;
  let dm = w.map((t) => tf.zerosLike(t));
  let dv = w.map((t) => tf.zerosLike(t));
  let dLatent: tf.Tensor = tf.zerosLike(data.latent);
  let dDecoder: tf.Tensor = tf.zerosLike(data.decoder);
  const dAlpha: tf.Tensor[] = new Array(final.step);
  for (let t = final.step; t >= 1; t--) {
    const h = stepHyper(options, t);
    const out = tf.tidy(() => {
      const c1 = 1 - Math.pow(h.beta1, t);
      const c2 = 1 - Math.pow(h.beta2, t);
      const decay = 1 - h.learningRate * h.weightDecay;
      const stored = options.kept?.get(t - 1);
      const wPrev: tf.Tensor[] = [];
      const dmT: tf.Tensor[] = [];
      const dvT: tf.Tensor[] = [];
      const alphaTerms: tf.Tensor[] = [];
      w.forEach((wt, i) => {
        const mHat = tf.div(m[i], c1);
        const root = tf.sqrt(tf.add(tf.div(v[i], c2), h.epsRoot));
        const denom = tf.add(root, h.eps);
        const update = tf.div(mHat, denom);
        // Invert the update w_t = (1 − αλ) w_{t−1} − α m̂/(√(v̂+ε_r) + ε), unless the checkpointed
        // variant stored w_{t−1} exactly.
        const previous = stored
          ? tf.clone(stored.w[i])
          : tf.div(tf.add(wt, tf.mul(update, h.learningRate)), decay);
        wPrev.push(previous);
        // ∂w_t/∂α_t = −(m̂/(√(v̂+ε_r) + ε) + λ w_{t−1}): dL/dα_t = ⟨dL/dw_t, ∂w_t/∂α_t⟩
        alphaTerms.push(
          tf.neg(tf.sum(tf.mul(dw[i], tf.add(update, tf.mul(previous, h.weightDecay))))),
        );
        // ∂w_t/∂m_t = −α / ((1−β1ᵗ)(√(v̂+ε_r) + ε))
        dmT.push(tf.add(dm[i], tf.mul(dw[i], tf.div(-h.learningRate / c1, denom))));
        // ∂w_t/∂v_t = α m̂ / (2 (1−β2ᵗ) √(v̂+ε_r) (√(v̂+ε_r) + ε)²)
        const dwdv = tf.div(
          tf.mul(mHat, h.learningRate / (2 * c2)),
          tf.mul(tf.maximum(root, 1e-20), tf.square(denom)),
        );
        dvT.push(tf.add(dv[i], tf.mul(dw[i], dwdv)));
      });
      const g = tf.grads((...ws: tf.Tensor[]) =>
        syntheticLoss(model, toParams(names, ws), data.latent, data.decoder, data.temperature),
      )(wPrev);
      const dg = g.map((gi, i) =>
        tf.add(tf.mul(dmT[i], 1 - h.beta1), tf.mul(tf.mul(gi, dvT[i]), 2 * (1 - h.beta2))),
      );
      const { hw, hLatent, hDecoder } = secondOrderProducts(
        model,
        names,
        wPrev,
        dg,
        data,
        options.method,
        fdEpsilon,
      );
      const mPrev = stored
        ? stored.m.map((x) => tf.clone(x))
        : g.map((gi, i) => tf.div(tf.sub(m[i], tf.mul(gi, 1 - h.beta1)), h.beta1));
      const vPrev = stored
        ? stored.v.map((x) => tf.clone(x))
        : g.map((gi, i) =>
            tf.relu(tf.div(tf.sub(v[i], tf.mul(tf.square(gi), 1 - h.beta2)), h.beta2)),
          );
      const wBack = wPrev;
      return {
        w: wBack,
        m: mPrev,
        v: vPrev,
        dw: dw.map((d, i) => tf.add(tf.mul(d, decay), hw[i])),
        dm: dmT.map((d) => tf.mul(d, h.beta1)),
        dv: dvT.map((d) => tf.mul(d, h.beta2)),
        dLatent: tf.add(dLatent, hLatent),
        dDecoder: tf.add(dDecoder, hDecoder),
        dAlpha: tf.addN(alphaTerms),
      };
    });
    dAlpha[t - 1] = out.dAlpha;
    tf.dispose([...w, ...m, ...v, ...dw, ...dm, ...dv, dLatent, dDecoder]);
    ({ w, m, v, dw, dm, dv, dLatent, dDecoder } = out);
    options.onStep?.(t);
  }
  tf.dispose([...m, ...v, ...dm, ...dv]);
  if (options.kept) for (const s of options.kept.values()) disposeInnerState(s);
  const learningRates = dAlpha.length ? tf.stack(dAlpha) : tf.zeros([0]);
  tf.dispose(dAlpha);
  return { latent: dLatent, decoder: dDecoder, learningRates, w0: dw, reconstructedW0: w };
}
