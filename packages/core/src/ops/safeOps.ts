import * as tf from '@tensorflow/tfjs-core';
import { backendHasKernels, fusedKernelNames } from '../backend/fusedKernels';
import { maskKeepProbability, Rng } from '../random/Rng';

/*
 * Second-order-safe ops. TensorFlow.js's registered gradients of exp, tanh, sigmoid, softmax and
 * logSoftmax read the op's saved *output*, which makes gradient-of-gradient throw or silently go
 * wrong (tensorflow/tfjs#3252). These versions define every gradient from the *input* with ops whose
 * own gradients are right, so Hessian-vector products through them are exact. The forward pass of a
 * `tf.customGrad` function is not recorded on the tape, which is what `constantOf` relies on.
 */

/** exp(x) whose gradient is dy · exp(x), recomputed from x (so it differentiates again). */
export const exp = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.exp(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, exp(saved[0])),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** The row maximum over the last axis as a constant (zero gradient; the max is never taped). */
const rowMaxConstant = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.max(x, -1, true),
  gradFunc: () => tf.zerosLike(x),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** log Σ exp over the last axis (keepDims), stable for large inputs. */
export function logSumExp(x: tf.Tensor): tf.Tensor {
  const m = rowMaxConstant(x);
  return tf.add(m, tf.log(tf.sum(exp(tf.sub(x, m)), -1, true)));
}

/** log-softmax over the last axis. */
export function logSoftmax(x: tf.Tensor): tf.Tensor {
  const shifted = tf.sub(x, rowMaxConstant(x));
  return tf.sub(shifted, tf.log(tf.sum(exp(shifted), -1, true)));
}

/** softmax over the last axis. */
export function softmax(x: tf.Tensor): tf.Tensor {
  const e = exp(tf.sub(x, rowMaxConstant(x)));
  return tf.div(e, tf.sum(e, -1, true));
}

/** softplus(x) = log(1 + eˣ), stable for large |x|. */
export function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log1p(exp(tf.neg(tf.abs(x)))));
}

/** sigmoid(x) = exp(−softplus(−x)), stable for large |x|. */
export function sigmoid(x: tf.Tensor): tf.Tensor {
  return exp(tf.neg(softplus(tf.neg(x))));
}

/** log sigmoid(x) = −softplus(−x). */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(softplus(tf.neg(x)));
}

/** tanh(x) = 2·sigmoid(2x) − 1. */
export function tanh(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(sigmoid(tf.mul(x, 2)), 2), 1);
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (as in GPT-2). */
export function gelu(x: tf.Tensor): tf.Tensor {
  // x³ as two products: the wasm Pow kernel took 13–17% of a Transformer step.
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.square(x), x), 0.044715)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tanh(inner), 1));
}

/** Layer normalisation over the last axis with gain and bias (differentiable to second order). */
export function layerNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon = 1e-5,
  fused = fusedLayerNormAvailable(),
): tf.Tensor {
  if (fused) return fusedLayerNorm(epsilon)(x, gain, bias);
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, epsilon))), gain), bias);
}

/** Whether the current backend registered the fused layer-norm kernels (wasm-native does). */
export function fusedLayerNormAvailable(): boolean {
  const names = fusedKernelNames();
  return names !== undefined && backendHasKernels(names.layerNorm, names.layerNormGrad);
}

/**
 * Layer norm's gradient composed from standard ops. With x̂ = (x − mean)·rstd and g = gain·dy:
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), dgain = Σ_rows dy·x̂, dbias = Σ_rows dy.
 */
function composedLayerNormGrad(
  x: tf.Tensor,
  gain: tf.Tensor,
  dy: tf.Tensor,
  eps: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const d = x.shape[x.rank - 1] as number;
  const x2 = tf.reshape(x, [-1, d]);
  const dy2 = tf.reshape(dy, [-1, d]);
  const centred = tf.sub(x2, tf.mean(x2, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
  const xhat = tf.mul(centred, rstd);
  const g = tf.mul(dy2, gain);
  const dx = tf.mul(
    rstd,
    tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))),
  );
  return [tf.reshape(dx, x.shape), tf.sum(tf.mul(dy2, xhat), 0), tf.sum(dy2, 0)];
}

const fusedLayerNormOps = new Map<
  number,
  (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor
>();

/**
 * Whether the backend has layer norm's second-derivative kernel; registers, once, the gradient of
 * the gradient kernel through it. Its inputs mean and rstd are the forward pass's (untaped)
 * statistics of x: the kernel differentiates the gradient as a function of x with them following
 * x, so they get zero gradients of their own.
 */
function secondOrderKernel(names: NonNullable<ReturnType<typeof fusedKernelNames>>): boolean {
  if (!backendHasKernels(names.layerNormGradGrad)) return false;
  if (registeredGradGrad) return true;
  registeredGradGrad = true;
  tf.registerGradient({
    kernelName: names.layerNormGrad,
    inputsToSave: ['x', 'gain', 'mean', 'rstd', 'dy'],
    gradFunc: (dys, saved) => {
      const [x, gain, mean, rstd, dy] = saved;
      const [dx, dgain, dbias] = dys as tf.Tensor[];
      const [dX, dGain, dDy] = tf
        .engine()
        .runKernel(names.layerNormGradGrad, {
          x,
          gain,
          mean,
          rstd,
          dy,
          dx,
          dgain,
          dbias,
        }) as tf.Tensor[];
      return {
        x: () => dX,
        gain: () => dGain,
        dy: () => dDy,
        mean: () => tf.zerosLike(mean),
        rstd: () => tf.zerosLike(rstd),
      };
    },
  });
  return true;
}

let registeredGradGrad = false;

/**
 * Layer norm through the backend's fused kernels: one pass forward and one pass backward. When the
 * backward pass is itself being recorded (a Hessian-vector product differentiates the gradient),
 * the gradient kernel's own gradient is a third kernel where the backend has it (wasm-native);
 * otherwise the gradient is composed from standard ops, so the fused op differentiates to any
 * order like the composed one.
 */
function fusedLayerNorm(eps: number): (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor {
  const cached = fusedLayerNormOps.get(eps);
  if (cached) return cached;
  const names = fusedKernelNames();
  if (!names) throw new Error('the fused layer-norm kernels are not available');
  const op = tf.customGrad(((
    x: tf.Tensor,
    gain: tf.Tensor,
    bias: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => {
    const [y, mean, rstd] = tf
      .engine()
      .runKernel(names.layerNorm, { x, gain, bias }, { epsilon: eps }) as tf.Tensor[];
    save([x, gain, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, sr] = saved;
        if (tf.engine().isTapeOn() && !secondOrderKernel(names)) {
          return composedLayerNormGrad(sx, sg, dy, eps);
        }
        return tf.engine().runKernel(names.layerNormGrad, {
          x: sx,
          gain: sg,
          mean: sm,
          rstd: sr,
          dy,
        }) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    x: tf.Tensor,
    g: tf.Tensor,
    b: tf.Tensor,
  ) => tf.Tensor;
  fusedLayerNormOps.set(eps, op);
  return op;
}

/**
 * Inverted dropout with a seeded mask: the same seed gives the same mask, so a step can be replayed.
 * Identity when `rate` is 0 or not training. The mask (0 or 1 / (1 − rate) per value, the rate
 * rounded up to a multiple of 2⁻¹⁶) is drawn on the host and uploaded: drawing it with tensor ops (random uniform, compare, cast, scale) cost the
 * wasm backend ~20 ms per [128 × 50 × 50] call.
 */
export function dropout(
  x: tf.Tensor,
  rate: number,
  training: boolean,
  seed: number | undefined,
): tf.Tensor {
  if (!training || rate <= 0) return x;
  const values = new Float32Array(tf.util.sizeFromShape(x.shape));
  const rng = new Rng(seed ?? Math.floor(Math.random() * 4294967296));
  // The mask scales kept values by 1 / P(keep), with the rate as the mask rounds it (2⁻¹⁶ steps),
  // so the expectation is exactly preserved.
  const keepProbability = maskKeepProbability(rate);
  rng.fillMask(values, rate, keepProbability > 0 ? 1 / keepProbability : 0);
  return tf.mul(x, tf.tensor(values, x.shape, 'float32'));
}
