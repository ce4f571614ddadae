import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend/selectBackend';
import { causalAttention, initAttention } from './layers';

describe('causal attention', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
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
});
