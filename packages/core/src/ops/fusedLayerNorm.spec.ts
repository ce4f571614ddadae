import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsAvailable } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import { fusedLayerNormAvailable, layerNorm } from './safeOps';
import { maxRelDiff } from '../testing/numeric';

// wasm-native's fused layer norm (one native pass forward, one backward, one for the backward's
// own gradient) against the composed op
// on the same backend and on cpu, to second order. CI sets FARZI_REQUIRE_NATIVE=1 so a missing
// addon fails instead of skipping.
const run = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const describeNative = run ? describe : describe.skip;

const SHAPE = [7, 5, 13];

function inputs() {
  return {
    x: tf.randomNormal(SHAPE, 0.5, 2, 'float32', 1),
    gain: tf.randomNormal([13], 1, 0.3, 'float32', 2),
    bias: tf.randomNormal([13], 0, 1, 'float32', 3),
    u: tf.randomNormal(SHAPE, 0, 1, 'float32', 4),
    v: tf.randomNormal(SHAPE, 0, 1, 'float32', 5),
  };
}

/** Value, gradients of Σ sin(LN)·u, and a Hessian-vector product, as flat arrays. */
function evaluate(fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const { x, gain, bias, u, v } = inputs();
    const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.sin(layerNorm(a, g, b, 1e-5, fused)), u)) as tf.Scalar;
    const grads = tf.grads(loss)([x, gain, bias]);
    const hvp = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [ga, gg, gb] = tf.grads(loss)([a, g, b]);
      return tf.addN([tf.sum(tf.mul(ga, v)), tf.sum(gg), tf.sum(tf.mul(gb, 0.5))]) as tf.Scalar;
    })([x, gain, bias]);
    return [layerNorm(x, gain, bias, 1e-5, fused), ...grads, ...hvp].map((t) =>
      Float32Array.from(t.dataSync()),
    );
  });
}

describeNative('fused layer norm (wasm-native)', () => {
  beforeAll(async () => {
    await selectBackend('wasm-native');
  });

  it('is used on wasm-native only', async () => {
    expect(fusedLayerNormAvailable()).toBe(true);
    await selectBackend('wasm');
    expect(fusedLayerNormAvailable()).toBe(false);
    await selectBackend('wasm-native');
  });

  it('matches the composed op in value, gradients and Hessian-vector products, and cpu', async () => {
    const fused = evaluate(true);
    const composed = evaluate(false);
    await selectBackend('cpu');
    const cpu = evaluate(false);
    await selectBackend('wasm-native');
    fused.forEach((f, i) => {
      expect(maxRelDiff(f, composed[i])).toBeLessThan(1e-4);
      expect(maxRelDiff(f, cpu[i])).toBeLessThan(1e-4);
    });
  });

  it('takes the Hessian-vector product through its second-derivative kernel', async () => {
    const profile = await tf.profile(() => {
      evaluate(true);
    });
    const kernels = new Set(profile.kernelNames);
    expect(kernels.has('FarziLayerNormGradGrad')).toBe(true);
    // The composed gradient's ops (rsqrt of the variance) never run.
    expect(kernels.has('Rsqrt')).toBe(false);
  });

  it('names a missing or misshapen operand of the second-derivative kernel', () => {
    const [x, g, m] = [tf.zeros([4, 3]), tf.ones([3]), tf.zeros([4])];
    const inputs = { x, gain: g, mean: m, rstd: m, dy: x, dx: x, dgain: g, dbias: g };
    expect(() =>
      tf.engine().runKernel('FarziLayerNormGradGrad', { ...inputs, dbias: undefined } as never),
    ).toThrow('FarziLayerNormGradGrad: missing input(s) dbias');
    expect(() => tf.engine().runKernel('FarziLayerNormGradGrad', { ...inputs, dx: m })).toThrow(
      /FarziLayerNormGradGrad: dx must be float32 \[4,3\], got float32 \[4\]/,
    );
    tf.dispose([x, g, m]);
  });

  it('leaves no tensors behind', () => {
    evaluate(true);
    const before = tf.memory().numTensors;
    evaluate(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
