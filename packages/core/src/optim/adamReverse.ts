import * as tf from '@tensorflow/tfjs-core';
import { AdamHyper, adamAttrs, fusedAdamKernel } from './adam';

// Reversing one step of `adamUpdate` for one parameter (reverse-mode differentiation of an inner
// loop, FARZI.md), in two halves around the step's second-order products. Written with the update's
// arithmetic; on a backend with the fused kernels (wasm-native), each half is one kernel that
// computes the same float32 operations in the same order (equal bit for bit), instead of two dozen
// elementwise kernels per parameter and step.

/** The first half of reversing step t: before the products. */
export interface AdamAdjoint {
  /** w_{t−1} = (w_t + α m̂/(√(v̂+ε_root) + ε)) / (1 − αλ). */
  readonly previous: tf.Tensor;
  /** dm_t = dm + dw · ∂w_t/∂m_t = dm − dw · α / ((1−β1ᵗ)(√(v̂+ε_root) + ε)). */
  readonly dm: tf.Tensor;
  /** dv_t = dv + dw · ∂w_t/∂v_t = dv + dw · α m̂ / (2 (1−β2ᵗ) √(v̂+ε_root) (√(v̂+ε_root) + ε)²). */
  readonly dv: tf.Tensor;
  /** dw ⊙ (m̂/(√(v̂+ε_root) + ε) + λ w_{t−1}): its sum, negated, is dL/dα_t. */
  readonly alpha: tf.Tensor;
}

/**
 * Inverts Adam step t of one parameter (w, m, v after the step) and carries the adjoints dw, dm, dv
 * (of the state after the step) through its update of w. With `stored`, w_{t−1} is that tensor
 * (checkpointed) instead of the inversion.
 */
export function adamAdjoint(
  w: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  dw: tf.Tensor,
  dm: tf.Tensor,
  dv: tf.Tensor,
  t: number,
  h: AdamHyper,
  stored?: tf.Tensor,
): AdamAdjoint {
  const fused = stored ? undefined : fusedAdamKernel('adamAdjoint');
  if (fused) {
    const [previous, dmT, dvT, alpha] = tf
      .engine()
      .runKernel(fused, { w, m, v, dw, dm, dv }, adamAttrs(h, t)) as tf.Tensor[];
    return { previous, dm: dmT, dv: dvT, alpha };
  }
  const c1 = 1 - Math.pow(h.beta1, t);
  const c2 = 1 - Math.pow(h.beta2, t);
  const decay = 1 - h.learningRate * h.weightDecay;
  const mHat = tf.div(m, c1);
  const root = tf.sqrt(tf.add(tf.div(v, c2), h.epsRoot));
  const denom = tf.add(root, h.eps);
  const update = tf.div(mHat, denom);
  // w_t = (1 − αλ) w_{t−1} − α m̂/(√(v̂+ε_r) + ε), solved for w_{t−1}.
  const previous = stored
    ? tf.clone(stored)
    : tf.div(tf.add(w, tf.mul(update, h.learningRate)), decay);
  const alpha = tf.mul(dw, tf.add(update, tf.mul(previous, h.weightDecay)));
  const dmT = tf.add(dm, tf.mul(dw, tf.div(-h.learningRate / c1, denom)));
  const dwdv = tf.div(
    tf.mul(mHat, h.learningRate / (2 * c2)),
    tf.mul(tf.maximum(root, 1e-20), tf.square(denom)),
  );
  const dvT = tf.add(dv, tf.mul(dw, dwdv));
  return { previous, dm: dmT, dv: dvT, alpha };
}

/** The second half: the state and the adjoints before step t. */
export interface AdamRestore {
  /** m_{t−1} = (m_t − (1−β1) g) / β1. */
  readonly m: tf.Tensor;
  /** v_{t−1} = max(0, (v_t − (1−β2) g²) / β2). */
  readonly v: tf.Tensor;
  /** dw (1 − αλ) + H_ww·dg. */
  readonly dw: tf.Tensor;
  /** β1 dm_t. */
  readonly dm: tf.Tensor;
  /** β2 dv_t. */
  readonly dv: tf.Tensor;
}

/**
 * Completes reversing step t once its gradient g and the product hw = H_ww·dg are known: the
 * moments before the step (from m_t, v_t and g) and the adjoints of the state before it.
 */
export function adamRestore(
  m: tf.Tensor,
  v: tf.Tensor,
  g: tf.Tensor,
  dw: tf.Tensor,
  hw: tf.Tensor,
  dmT: tf.Tensor,
  dvT: tf.Tensor,
  t: number,
  h: AdamHyper,
): AdamRestore {
  const fused = fusedAdamKernel('adamRestore');
  if (fused) {
    const [m0, v0, dw0, dm0, dv0] = tf
      .engine()
      .runKernel(fused, { m, v, g, dw, hw, dmT, dvT }, adamAttrs(h, t)) as tf.Tensor[];
    return { m: m0, v: v0, dw: dw0, dm: dm0, dv: dv0 };
  }
  const decay = 1 - h.learningRate * h.weightDecay;
  return {
    m: tf.div(tf.sub(m, tf.mul(g, 1 - h.beta1)), h.beta1),
    v: tf.relu(tf.div(tf.sub(v, tf.mul(tf.square(g), 1 - h.beta2)), h.beta2)),
    dw: tf.add(tf.mul(dw, decay), hw),
    dm: tf.mul(dmT, h.beta1),
    dv: tf.mul(dvT, h.beta2),
  };
}
