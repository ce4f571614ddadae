import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'child_process';
import * as path from 'path';
import '../browser';

// @farzi/core depends on tfjs-core, not the @tensorflow/tfjs umbrella: what the umbrella added
// (the CPU backend, gradients, chained ops) comes from backend/tfjs.ts and tfjs/register.cjs.
describe('tfjs-core as @farzi/core loads it', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('registers the gradients: tf.grad agrees with a finite difference', () => {
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.sin(x), tf.softmax(x)));
    const x = tf.tensor1d([0.3, -1.2, 2.0]);
    const g = tf.grad(f)(x).arraySync() as number[];
    const h = 1e-3;
    const xs = x.arraySync() as number[];
    xs.forEach((_, i) => {
      const at = (d: number) =>
        f(tf.tensor1d(xs.map((v, j) => (j === i ? v + d : v)))).arraySync() as number;
      expect(g[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 3);
    });
  });

  it('registers the chained ops', () => {
    // The chained methods' types come with tfjs-core's ES-module augmentation; their runtime here.
    type Chained = { add(x: number): Chained; square(): tf.Tensor };
    const x = tf.tensor1d([1, 2]) as unknown as Chained;
    expect(Array.from(x.add(1).square().dataSync())).toEqual([4, 9]);
  });

  it('without @farzi/core, tfjs-core alone has neither (what register.cjs is for)', () => {
    const script =
      "const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu');" +
      "console.log(`${typeof tf.tensor1d([1]).add} ${tf.getGradient('Sin') === undefined}`);";
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe('undefined true');
  });
});
