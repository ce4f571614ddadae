import * as tf from '@tensorflow/tfjs-core';
import { backendHasKernels, fusedKernelNames } from '../backend/fusedKernels';
import { logSoftmax, logSumExp } from './safeOps';

/*
 * Cross-entropy against soft targets, per row: ℓ = Σ_v t_v·(lse(z) − z_v) for logits z and
 * targets t (which need not sum to 1; s = Σ_v t_v). On a backend with the fused kernels (wasm-native)
 * the loss, its gradient in z, y·(s·p − t), and that gradient's own gradient (what the Farzi reverse
 * pass's Hessian-vector products take through the inner loss) are one kernel call each, with
 * registered gradients that tfjs calls lazily (the targets' gradient only when asked for):
 *
 *   ∂ℓ/∂z = y·(s·p − t)          its gradient for a cotangent u, pu = ⟨p, u⟩:
 *   ∂ℓ/∂t = y·(lse − z)            in z: y·s·p ⊙ (u − pu)   in t: y·(pu − u)   in y: s·pu − ⟨t, u⟩
 *
 * Elsewhere (cpu, wasm, the browser) the composed log-softmax of safeOps, which differentiates to
 * any order; the tests compare the two paths and central differences.
 */

interface SoftXentNames {
  readonly forward: string;
  readonly grad: string;
  readonly gradGrad: string;
}

function kernelNames(): SoftXentNames | undefined {
  const names = fusedKernelNames();
  return names
    ? { forward: names.softXent, grad: names.softXentGrad, gradGrad: names.softXentGradGrad }
    : undefined;
}

/** Whether the current backend registered the fused soft-target cross-entropy kernels. */
export function fusedSoftCrossEntropyAvailable(): boolean {
  const names = kernelNames();
  return names !== undefined && backendHasKernels(names.forward, names.grad, names.gradGrad);
}

const registered = new Set<string>();

/** Registers the kernels' gradients once (they are backend-independent: kernel calls and safe ops). */
function registerGradients(names: SoftXentNames): void {
  if (registered.has(names.forward)) return;
  registered.add(names.forward);
  tf.registerGradient({
    kernelName: names.forward,
    inputsToSave: ['logits', 'targets'],
    gradFunc: (dy, saved) => {
      const [z, t] = saved;
      const y = dy as tf.Tensor;
      return {
        logits: () => tf.engine().runKernel(names.grad, { logits: z, targets: t, scale: y }),
        targets: () => tf.mul(tf.sub(logSumExp(z), z), tf.expandDims(y, -1)),
      };
    },
  });
  tf.registerGradient({
    kernelName: names.grad,
    inputsToSave: ['logits', 'targets', 'scale'],
    gradFunc: (dy, saved) => {
      const [z, t, y] = saved;
      // One call yields all three; the engine disposes the ones it does not ask for.
      const [dz, dt, ds] = tf.engine().runKernel(names.gradGrad, {
        logits: z,
        targets: t,
        scale: y,
        dy: dy as tf.Tensor,
      }) as tf.Tensor[];
      return { logits: () => dz, targets: () => dt, scale: () => ds };
    },
  });
}

/**
 * −Σ_v targets[..., v]·log softmax(logits)[..., v] over the last axis of logits and soft targets
 * of the same shape [..., V]: one value per leading position, differentiable to second order.
 * `fused` chooses the backend's kernels (default: when it has them) or the composed ops.
 */
export function softCrossEntropyRows(
  logits: tf.Tensor,
  targets: tf.Tensor,
  fused = fusedSoftCrossEntropyAvailable(),
): tf.Tensor {
  if (logits.shape.join() !== targets.shape.join()) {
    throw new Error(
      `soft cross-entropy: logits [${logits.shape}] and targets [${targets.shape}] must have the same shape`,
    );
  }
  const names = fused ? kernelNames() : undefined;
  if (!names) return tf.neg(tf.sum(tf.mul(targets, logSoftmax(logits)), -1));
  registerGradients(names);
  const v = logits.shape[logits.rank - 1] as number;
  const rows = tf.engine().runKernel(names.forward, {
    logits: tf.reshape(logits, [-1, v]),
    targets: tf.reshape(targets, [-1, v]),
  }) as tf.Tensor;
  return tf.reshape(rows, logits.shape.slice(0, -1));
}
