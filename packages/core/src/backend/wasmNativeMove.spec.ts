import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelsAvailable } from './wasmNative';
import { selectBackend } from './selectBackend';
import { maxRelDiff } from '../testing/numeric';

// Its own file: a fresh wasm module (jest isolates modules per file), so its memory starts small.
const run = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const describeNative = run ? describe : describe.skip;

function heapBytes(): number {
  const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
  return backend.wasm.HEAPU8.buffer.byteLength;
}

describeNative('wasm-native kernels on operands that move in from another backend', () => {
  // Each operand is created on cpu, larger than the whole wasm memory, so moving it in (when the
  // native kernel resolves its offset) must grow the memory and replace its buffer.
  const values = (n: number, seed: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 2);
  const cases: [string, (n: number) => tf.Tensor[], (xs: tf.Tensor[]) => tf.Tensor][] = [
    [
      'BatchMatMul',
      (n) => [tf.tensor2d(values(n, 1), [n / 64, 64]), tf.tensor2d(values(256, 2), [64, 4])],
      ([a, b]) => tf.matMul(a, b),
    ],
    ['Exp', (n) => [tf.tensor1d(values(n, 3))], ([x]) => tf.exp(x)],
  ];

  it.each(cases)('%s: the same values as cpu after the memory grew', async (_name, make, op) => {
    await selectBackend('wasm-native');
    const n = Math.ceil(heapBytes() / 4 / 64 + 1024) * 64;
    await selectBackend('cpu');
    const inputs = make(n);
    const expected = op(inputs);
    const reference = Float32Array.from(expected.dataSync());
    expected.dispose();
    await selectBackend('wasm-native');
    const before = heapBytes();
    const result = op(inputs);
    const values = Float32Array.from(result.dataSync());
    expect(heapBytes()).toBeGreaterThan(before);
    expect(maxRelDiff(values, reference)).toBeLessThan(1e-5);
    tf.dispose([result, ...inputs]);
  });
});
