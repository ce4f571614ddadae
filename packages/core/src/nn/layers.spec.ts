import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsAvailable } from '../backend/wasmNative';
import { selectBackend } from '../backend/selectBackend';
import { maxRelDiff } from '../testing/numeric';
import { causalAttention, initAttention } from './layers';

// wasm composes the masked softmax from ops; wasm-native takes its fused kernels (and their
// second derivatives). CI sets FARZI_REQUIRE_NATIVE=1.
const native = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const backends = native ? ['wasm', 'wasm-native'] : ['wasm'];

describe.each(backends)('causal attention (%s)', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend as 'wasm');
  });

  it('refuses a head count that does not divide the model dimension', () => {
    const params = initAttention('a', 3, 1);
    const x = tf.randomNormal([1, 4, 3], 0, 1, 'float32', 2);
    const options = { heads: 2, dropoutRate: 0, training: false };
    expect(() => causalAttention(x, x, params, 'a', options)).toThrow(
      'causalAttention: 2 heads do not divide the model dimension 3.',
    );
    tf.dispose([x, ...Object.values(params)]);
  });

  it('lets position t see positions up to t only', () => {
    const params = initAttention('a', 4, 1);
    const x = tf.randomNormal([1, 5, 4], 0, 1, 'float32', 2);
    // Change only the last position: the outputs of the earlier ones must not move.
    const y = tf.concat([tf.slice(x, [0, 0, 0], [1, 4, 4]), tf.ones([1, 1, 4])], 1);
    const options = { heads: 2, dropoutRate: 0, training: false };
    const a = causalAttention(x, x, params, 'a', options);
    const b = causalAttention(y, y, params, 'a', options);
    const early = tf.max(
      tf.abs(tf.sub(tf.slice(a, [0, 0, 0], [1, 4, 4]), tf.slice(b, [0, 0, 0], [1, 4, 4]))),
    );
    expect(early.dataSync()[0]).toBeLessThan(1e-6);
    const last = tf.max(
      tf.abs(tf.sub(tf.slice(a, [0, 4, 0], [1, 1, 4]), tf.slice(b, [0, 4, 0], [1, 1, 4]))),
    );
    expect(last.dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([x, y, a, b, early, last, ...Object.values(params)]);
  });

  it('with one head equals the hand-written attention, in value and gradient', () => {
    const d = 4;
    const params = initAttention('a', d, 3);
    const x = tf.randomNormal([2, 5, d], 0, 1, 'float32', 4);
    const options = { heads: 1, dropoutRate: 0, training: false };
    const reference = (input: tf.Tensor) => {
      const proj = (name: string) =>
        tf.add(tf.matMul(tf.reshape(input, [10, d]), params[`a.w${name}`]), params[`a.b${name}`]);
      const [q, k, v] = ['q', 'k', 'v'].map((n) => tf.reshape(proj(n), [2, 5, d]));
      const future = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([5, 5]), -1, 0)), -1e9);
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)), future);
      const out = tf.reshape(tf.matMul(tf.softmax(scores), v), [10, d]);
      return tf.reshape(tf.add(tf.matMul(out, params['a.wo']), params['a.bo']), [2, 5, d]);
    };
    const ours = causalAttention(x, x, params, 'a', options);
    const theirs = reference(x);
    expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-5);
    const w = tf.randomNormal([2, 5, d], 0, 1, 'float32', 5);
    const g1 = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(causalAttention(t, t, params, 'a', options), w)),
    )(x);
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reference(t), w)))(x);
    expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, w, ours, theirs, g1, g2, ...Object.values(params)]);
  });
});

/**
 * Two heads with a key mask (padding at the start of the second sequence): the output, the
 * gradient in the input and a Hessian-vector product in the input and the query weights.
 */
function attentionDerivatives(): Float32Array[] {
  return tf.tidy(() => {
    const d = 8;
    const params = initAttention('a', d, 7);
    const x = tf.randomNormal([2, 6, d], 0, 1, 'float32', 8);
    const keyMask = tf.tensor2d([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1], [2, 6]);
    const w = tf.randomNormal([2, 6, d], 0, 1, 'float32', 9);
    const u = tf.randomNormal([2, 6, d], 0, 1, 'float32', 10);
    const uq = tf.randomNormal([d, d], 0, 1, 'float32', 11);
    const options = { heads: 2, keyMask, dropoutRate: 0, training: false };
    const f = (t: tf.Tensor, wq: tf.Tensor) =>
      tf.sum(tf.mul(causalAttention(t, t, { ...params, 'a.wq': wq }, 'a', options), w));
    const [gx, gq] = tf.grads(f)([x, params['a.wq']]);
    const [hx, hq] = tf.grads((t: tf.Tensor, wq: tf.Tensor) => {
      const [a, b] = tf.grads(f)([t, wq]);
      return tf.add(tf.sum(tf.mul(a, u)), tf.sum(tf.mul(b, uq)));
    })([x, params['a.wq']]);
    const out = causalAttention(x, x, params, 'a', options);
    return [out, gx, gq, hx, hq].map((t) => Float32Array.from(t.dataSync()));
  });
}

(native ? it : it.skip)(
  'takes the same values, gradients and Hessian-vector products on wasm-native (fused) as on wasm',
  async () => {
    await selectBackend('wasm');
    const composed = attentionDerivatives();
    await selectBackend('wasm-native');
    const fused = attentionDerivatives();
    ['output', 'gradient in x', 'in wq', 'H·u in x', 'in wq'].forEach((name, i) => {
      expect([name, maxRelDiff(fused[i], composed[i]) < 1e-4]).toEqual([name, true]);
    });
  },
);
