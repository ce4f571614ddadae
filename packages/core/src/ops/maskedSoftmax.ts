import * as tf from '@tensorflow/tfjs-core';
import { backendHasKernels, fusedKernelNames } from '../backend/fusedKernels';
import { softmax } from './safeOps';

/*
 * Attention's weights: p = softmax(x/τ + b) over the last axis, for scores x, a temperature τ (√d
 * per head) and an additive mask b that is a constant (0 where a query may attend, −1e9 elsewhere).
 * On a backend with the fused kernels (wasm-native) the softmax, its gradient in x and that
 * gradient's own gradient (what the Farzi reverse pass's Hessian-vector products take through
 * attention) are one kernel call each, with registered gradients:
 *
 *   ∂/∂x for a cotangent a of p:  dx = p ⊙ (a − ⟨p, a⟩)/τ
 *   its gradient for a cotangent u of dx, pu = ⟨p, u⟩, pa = ⟨p, a⟩, c = u⊙a − pu·a − pa·u:
 *                                 in x: p ⊙ (c − ⟨p, c⟩)/τ²     in a: p ⊙ (u − pu)/τ
 *
 * Elsewhere (cpu, wasm, the browser) the composed ops of safeOps, which differentiate to any
 * order; the tests compare the two paths and central differences.
 */

interface RowsNames {
  readonly forward: string;
  readonly grad: string;
  readonly gradGrad: string;
}

function kernelNames(): RowsNames | undefined {
  const names = fusedKernelNames();
  return names
    ? {
        forward: names.softmaxRows,
        grad: names.softmaxRowsGrad,
        gradGrad: names.softmaxRowsGradGrad,
      }
    : undefined;
}

/** Whether the current backend registered the fused row-softmax kernels. */
export function fusedMaskedSoftmaxAvailable(): boolean {
  const names = kernelNames();
  return names !== undefined && backendHasKernels(names.forward, names.grad, names.gradGrad);
}

const registered = new Set<string>();

/** Registers the kernels' gradients once (kernel calls; the mask is a constant). */
function registerGradients(names: RowsNames): void {
  if (registered.has(names.forward)) return;
  registered.add(names.forward);
  tf.registerGradient({
    kernelName: names.forward,
    inputsToSave: ['x', 'bias'],
    gradFunc: (dy, saved, attrs) => {
      const [x, bias] = saved;
      return {
        x: () => tf.engine().runKernel(names.grad, { x, bias, dy: dy as tf.Tensor }, attrs),
        bias: () => tf.zerosLike(bias),
      };
    },
  });
  tf.registerGradient({
    kernelName: names.grad,
    inputsToSave: ['x', 'bias', 'dy'],
    gradFunc: (u, saved, attrs) => {
      const [x, bias, dy] = saved;
      // One call yields both; the engine disposes the one it does not ask for.
      const [dx, dDy] = tf
        .engine()
        .runKernel(
          names.gradGrad,
          { x, bias, dy, cotangent: u as tf.Tensor },
          attrs,
        ) as tf.Tensor[];
      return { x: () => dx, dy: () => dDy, bias: () => tf.zerosLike(bias) };
    },
  });
}

/**
 * softmax(x / temperature + bias) over the last axis, differentiable to second order in x; `bias`
 * (x's shape) is a constant mask and gets no gradient. `fused` chooses the backend's kernels
 * (default: when it has them) or the composed ops.
 */
export function maskedSoftmax(
  x: tf.Tensor,
  bias: tf.Tensor,
  temperature: number,
  fused = fusedMaskedSoftmaxAvailable(),
): tf.Tensor {
  if (x.shape.join() !== bias.shape.join()) {
    throw new Error(
      `masked softmax: scores [${x.shape}] and mask [${bias.shape}] must have the same shape`,
    );
  }
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`masked softmax: temperature must be a finite number > 0, got ${temperature}`);
  }
  const names = fused ? kernelNames() : undefined;
  if (!names) return softmax(tf.add(tf.div(x, temperature), bias));
  registerGradients(names);
  return tf.engine().runKernel(names.forward, { x, bias }, { temperature }) as tf.Tensor;
}
