import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './selectBackend';

function run(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  return selectBackend(backend).then(() => {
    const out = f();
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values.slice();
  });
}

const cases: [string, number[], number[], boolean, boolean][] = [
  ['2-D, B transposed', [7, 5], [9, 5], false, true],
  ['2-D, A transposed', [5, 7], [5, 9], true, false],
  ['2-D, both transposed', [5, 7], [9, 5], true, true],
  ['3-D batched, B transposed', [3, 7, 5], [3, 9, 5], false, true],
  ['3-D batched, A transposed, odd sizes', [2, 33, 17], [2, 33, 65], true, false],
  ['broadcast batch, B transposed', [4, 6, 8], [1, 3, 8], false, true],
  ['large K', [6, 3000], [4, 3000], false, true],
];

describe('wasm BatchMatMul with transposes (explicit transpose + fast kernel)', () => {
  it.each(cases)('%s matches the cpu backend', async (_, aShape, bShape, ta, tb) => {
    const a = () => tf.randomNormal(aShape, 0, 1, 'float32', 1);
    const b = () => tf.randomNormal(bShape, 0, 1, 'float32', 2);
    const onCpu = await run('cpu', () => tf.matMul(a(), b(), ta, tb));
    const onWasm = await run('wasm', () => tf.matMul(a(), b(), ta, tb));
    expect(onWasm.length).toBe(onCpu.length);
    onWasm.forEach((v, i) =>
      expect(Math.abs(v - onCpu[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(onCpu[i]))),
    );
  });

  it('gives the same gradients as the cpu backend and leaks no tensors', async () => {
    const grads = async (backend: 'cpu' | 'wasm') => {
      await selectBackend(backend);
      const before = tf.memory().numTensors;
      const g = tf.tidy(() => {
        const x = tf.randomNormal([12, 6], 0, 1, 'float32', 3);
        const w = tf.randomNormal([10, 6], 0, 1, 'float32', 4);
        const [gx, gw] = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          tf.sum(tf.square(tf.matMul(p, q, false, true))),
        )([x, w]);
        return tf.concat([tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
      });
      const values = Array.from(g.dataSync());
      g.dispose();
      expect(tf.memory().numTensors).toBe(before);
      return values;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    wasm.forEach((v, i) => expect(v).toBeCloseTo(cpu[i], 2));
  });
});
