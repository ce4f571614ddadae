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
 * Cross-entropy against soft targets: inputs `logits` and `targets` [N, V] float32; output `loss`
 * [N] = Σ_v targets[n, v]·(lse(logits[n]) − logits[n, v]) (targets need not sum to 1).
 */
export const SOFT_XENT = 'FarziSoftmaxSoftCrossEntropy';
/**
 * Its gradient in the logits: inputs `logits`, `targets` [N, V] and `scale` [N]; output [N, V] =
 * scale[n]·(s_n·softmax(logits[n]) − targets[n]) with s_n = Σ_v targets[n, v].
 */
export const SOFT_XENT_GRAD = 'FarziSoftmaxSoftCrossEntropyGrad';
/**
 * The gradient's own gradient (Hessian-vector products): inputs `logits`, `targets`, `scale` and
 * `dy` (the cotangent of the gradient's output, [N, V]); with p = softmax(logits[n]) and
 * pu = ⟨p, dy[n]⟩, outputs dLogits = scale·s·p ⊙ (dy − pu), dTargets = scale·(pu − dy) ([N, V])
 * and dScale = s·pu − ⟨targets[n], dy[n]⟩ ([N]).
 */
export const SOFT_XENT_GRAD_GRAD = 'FarziSoftmaxSoftCrossEntropyGradGrad';

/**
 * Softmax over the last axis of x/τ + b (attention's weights: τ = √d_head, b the additive mask):
 * inputs `x` [..., cols] float32 and optionally `bias` (x's shape), attribute `temperature` τ > 0;
 * output p (x's shape).
 */
export const SOFTMAX_ROWS = 'FarziSoftmaxRows';
/**
 * Its gradient in x: inputs `x`, `bias` (optional) and `dy` (the cotangent of p), attribute
 * `temperature`; output dx = p ⊙ (dy − ⟨p, dy⟩)/τ per row (the bias is a constant: no gradient).
 */
export const SOFTMAX_ROWS_GRAD = 'FarziSoftmaxRowsGrad';
/**
 * The gradient's own gradient (attention's Hessian-vector products): inputs `x`, `bias`
 * (optional), `dy` and `cotangent` u (of the gradient's output), attribute `temperature`; with
 * pu = ⟨p, u⟩, pa = ⟨p, dy⟩ and c = u⊙dy − pu·dy − pa·u per row, outputs
 * dX = p ⊙ (c − ⟨p, c⟩)/τ² and dDy = p ⊙ (u − pu)/τ (x's shape).
 */
export const SOFTMAX_ROWS_GRAD_GRAD = 'FarziSoftmaxRowsGradGrad';

/**
 * Fused layer norm over the last axis: inputs `x` [..., d], `gain` [d], `bias` [d], attribute
 * `epsilon`; outputs `y` (x's shape), `mean` and `rstd` (one per row, rows = size / d).
 */
export const LAYER_NORM = 'FarziLayerNorm';
/** Its gradient: inputs `x`, `gain`, `mean`, `rstd`, `dy`; outputs dx (x's shape), dgain, dbias. */
export const LAYER_NORM_GRAD = 'FarziLayerNormGrad';
/**
 * The gradient's own gradient (layer norm's Hessian-vector products): inputs `x`, `gain`, `mean`,
 * `rstd`, `dy` and the cotangents `dx` (x's shape), `dgain` and `dbias` ([d]) of the gradient's
 * three outputs; outputs dX, dGain and dDy — the gradient as a function of x (mean and rstd follow
 * it), gain and dy.
 */
export const LAYER_NORM_GRAD_GRAD = 'FarziLayerNormGradGrad';

/**
 * One Adam step: inputs `w`, `g`, `m`, `v` (same shape, float32), attributes `learningRate`,
 * `beta1`, `beta2`, `eps`, `epsRoot`, `weightDecay` and `t` (the step number, from 1); outputs the
 * updated `w`, `m` and `v`. Not differentiable (the trainer's update runs outside any tape).
 */
export const ADAM_UPDATE = 'FarziAdamUpdate';
/**
 * The same step with the composed update's float32 arithmetic, bit for bit (the Farzi inner loop,
 * whose reversal inverts it): inputs and attributes as `FarziAdamUpdate`.
 */
export const ADAM_UPDATE_EXACT = 'FarziAdamUpdateExact';
/**
 * The first half of reversing Adam step t for one parameter: inputs `w`, `m`, `v` (after the step),
 * `dw`, `dm`, `dv` (the adjoints after it), attributes as `FarziAdamUpdate`; outputs w_{t−1},
 * dm_t = dm + dw·∂w_t/∂m_t, dv_t = dv + dw·∂w_t/∂v_t and dw ⊙ (m̂/(√(v̂+ε_root)+ε) + λ w_{t−1})
 * (summed and negated: dL/dα_t). Bit for bit as the composed ops of `adamAdjoint` in @farzi/core.
 */
export const ADAM_ADJOINT = 'FarziAdamAdjoint';
/**
 * The second half, once the step's gradient g and H_ww·dg (`hw`) are known: inputs `m`, `v`, `g`,
 * `dw`, `hw`, `dmT`, `dvT`, attributes as `FarziAdamUpdate`; outputs m_{t−1}, v_{t−1} and the
 * adjoints before the step (dw·(1−αλ) + hw, β1·dm_t, β2·dv_t). Bit for bit as `adamRestore`.
 */
export const ADAM_RESTORE = 'FarziAdamRestore';

/** The fused kernels a backend may register, by role (see each name's documentation). */
export const FUSED_KERNELS = {
  adamUpdate: ADAM_UPDATE,
  adamUpdateExact: ADAM_UPDATE_EXACT,
  adamAdjoint: ADAM_ADJOINT,
  adamRestore: ADAM_RESTORE,
  softmaxXent: SPARSE_SOFTMAX_XENT,
  softmaxXentGrad: SPARSE_SOFTMAX_XENT_GRAD,
  softXent: SOFT_XENT,
  softXentGrad: SOFT_XENT_GRAD,
  softXentGradGrad: SOFT_XENT_GRAD_GRAD,
  softmaxRows: SOFTMAX_ROWS,
  softmaxRowsGrad: SOFTMAX_ROWS_GRAD,
  softmaxRowsGradGrad: SOFTMAX_ROWS_GRAD_GRAD,
  layerNorm: LAYER_NORM,
  layerNormGrad: LAYER_NORM_GRAD,
  layerNormGradGrad: LAYER_NORM_GRAD_GRAD,
} as const;
