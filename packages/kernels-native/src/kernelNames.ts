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
