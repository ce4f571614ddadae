import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../random/Rng';
import { nativeKernelsAvailable } from './wasmNative';
import { selectBackend } from './selectBackend';
import { maxRelDiff } from '../testing/numeric';

// The OpenBLAS kernels of `wasm-native` against the plain wasm and cpu kernels. CI sets
// FARZI_REQUIRE_NATIVE=1 so that a missing addon fails here instead of skipping.
const run = nativeKernelsAvailable() || process.env.FARZI_REQUIRE_NATIVE === '1';
const describeNative = run ? describe : describe.skip;

type Backend = 'cpu' | 'wasm' | 'wasm-native';
const BACKENDS: Backend[] = ['cpu', 'wasm', 'wasm-native'];

function randomArray(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

async function onEach(f: () => tf.Tensor | tf.Tensor[]): Promise<Record<Backend, Float32Array[]>> {
  const out = {} as Record<Backend, Float32Array[]>;
  for (const b of BACKENDS) {
    await selectBackend(b);
    const result = tf.tidy(f);
    const list = Array.isArray(result) ? result : [result];
    out[b] = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(list);
  }
  return out;
}

function expectAgree(
  results: Record<Backend, Float32Array[]>,
  tolerance = 1e-5,
  withPlainWasm = true,
): void {
  results.cpu.forEach((reference, i) => {
    expect(maxRelDiff(results['wasm-native'][i], reference)).toBeLessThan(tolerance);
    if (withPlainWasm) {
      expect(maxRelDiff(results['wasm-native'][i], results.wasm[i])).toBeLessThan(tolerance);
    }
  });
}

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const CASES: Case[] = [
  { a: [1, 1], b: [1, 1], transposeA: false, transposeB: false },
  { a: [7, 13], b: [13, 5], transposeA: false, transposeB: false },
  { a: [13, 7], b: [13, 5], transposeA: true, transposeB: false },
  { a: [7, 13], b: [5, 13], transposeA: false, transposeB: true },
  { a: [13, 7], b: [5, 13], transposeA: true, transposeB: true },
  { a: [33, 3000], b: [3000, 17], transposeA: false, transposeB: false },
  { a: [3000, 33], b: [17, 3000], transposeA: true, transposeB: true },
  { a: [3, 5, 7], b: [3, 7, 4], transposeA: false, transposeB: false },
  { a: [1, 5, 6], b: [3, 6, 4], transposeA: false, transposeB: false },
  { a: [4, 6, 5], b: [3, 6], transposeA: true, transposeB: true },
  { a: [5, 6], b: [2, 3, 6, 4], transposeA: false, transposeB: false },
  { a: [2, 3, 5, 6], b: [1, 1, 6, 4], transposeA: false, transposeB: false },
  { a: [2, 64, 50], b: [2, 64, 50], transposeA: false, transposeB: true },
];

describeNative('wasm-native kernels (OpenBLAS) against wasm and cpu', () => {
  afterAll(async () => {
    await selectBackend('wasm');
  });

  it.each(CASES.map((c) => [JSON.stringify(c), c] as const))('BatchMatMul %s', async (_, c) => {
    const rng = new Rng(7);
    const a = randomArray(
      c.a.reduce((x, y) => x * y, 1),
      rng,
    );
    const b = randomArray(
      c.b.reduce((x, y) => x * y, 1),
      rng,
    );
    const results = await onEach(() =>
      tf.matMul(tf.tensor(a, c.a), tf.tensor(b, c.b), c.transposeA, c.transposeB),
    );
    expectAgree(results, c.a.includes(3000) ? 1e-4 : 1e-5);
  });

  it('gives the same gradients (every matMul gradient is a transposed product)', async () => {
    const rng = new Rng(3);
    const a = randomArray(4 * 9 * 11, rng);
    const b = randomArray(4 * 11 * 6, rng);
    const w = randomArray(4 * 9 * 6, rng);
    const results = await onEach(() =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x, y), tf.tensor(w, [4, 9, 6]))),
      )([tf.tensor(a, [4, 9, 11]), tf.tensor(b, [4, 11, 6])]),
    );
    expectAgree(results);
  });

  it.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const)(
    '_FusedMatMul with bias and %s',
    async (activation) => {
      const rng = new Rng(11);
      const a = randomArray(2 * 5 * 8, rng);
      const b = randomArray(8 * 7, rng);
      const bias = randomArray(7, rng);
      const alpha = randomArray(7, rng);
      const results = await onEach(() =>
        tf.fused.matMul({
          a: tf.tensor(a, [2, 5, 8]),
          b: tf.tensor(b, [7, 8]),
          transposeB: true,
          bias: tf.tensor(bias, [7]),
          activation,
          preluActivationWeights: activation === 'prelu' ? tf.tensor(alpha, [7]) : undefined,
          leakyreluAlpha: 0.1,
        }),
      );
      // Only against cpu: the plain wasm _FusedMatMul gets this rank-3 × rank-2ᵀ case wrong
      // (relative error 0.44 against cpu, measured), the OpenBLAS kernel does not.
      expectAgree(results, 1e-5, false);
    },
  );

  it('_FusedMatMul on rank-2 operands also matches the plain wasm kernel', async () => {
    const rng = new Rng(12);
    const a = randomArray(5 * 8, rng);
    const b = randomArray(8 * 7, rng);
    const bias = randomArray(7, rng);
    const results = await onEach(() =>
      tf.fused.matMul({
        a: tf.tensor(a, [5, 8]),
        b: tf.tensor(b, [8, 7]),
        bias: tf.tensor(bias, [7]),
        activation: 'relu',
      }),
    );
    expectAgree(results);
  });

  it('Exp matches cpu, keeps NaN and infinities', async () => {
    const rng = new Rng(9);
    const x = Float32Array.from({ length: 10007 }, () => rng.next() * 60 - 40);
    x.set([NaN, -Infinity, Infinity, -1e9, 100, 0], 0);
    const results = await onEach(() => tf.exp(tf.tensor1d(x)));
    const native = results['wasm-native'][0];
    expect(Number.isNaN(native[0])).toBe(true);
    expect(Array.from(native.slice(1, 6))).toEqual([0, Infinity, 0, Infinity, 1]);
    let worst = 0;
    for (let i = 6; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(native[i] - results.cpu[0][i]) / results.cpu[0][i]);
    }
    expect(worst).toBeLessThan(1e-6);
  });

  const BROADCASTS: [number[], number[]][] = [
    [
      [7, 13],
      [7, 13],
    ],
    [[7, 13], []],
    [[], [7, 13]],
    [
      [7, 13],
      [7, 1],
    ],
    [
      [7, 1],
      [7, 13],
    ],
    [[7, 13], [13]],
    [
      [1, 13],
      [7, 13],
    ],
    [
      [3, 5, 7],
      [3, 5, 1],
    ],
    [
      [3, 5, 7],
      [1, 1, 7],
    ],
    [
      [300, 4000],
      [300, 1],
    ], // over a million values: the row-parallel path
    [
      [3, 1, 7],
      [3, 5, 1],
    ], // a broadcast the native kernel leaves to the built-in one
  ];

  it.each(BROADCASTS.map(([a, b]) => [JSON.stringify(a), JSON.stringify(b), a, b] as const))(
    'Add, Sub, Multiply and RealDiv of %s and %s equal cpu exactly (one IEEE operation per value)',
    async (_, __, a, b) => {
      const rng = new Rng(13);
      const x = randomArray(
        a.reduce((p, q) => p * q, 1),
        rng,
      );
      const y = randomArray(
        b.reduce((p, q) => p * q, 1),
        rng,
      );
      x[0] = NaN;
      const results = await onEach(() => {
        const [ta, tb] = [tf.tensor(x, a), tf.tensor(y, b)];
        return [tf.add(ta, tb), tf.sub(ta, tb), tf.mul(ta, tb), tf.div(ta, tb)];
      });
      results.cpu.forEach((reference, i) => {
        const native = results['wasm-native'][i];
        expect(native.length).toBe(reference.length);
        const differing = reference.filter(
          (r, j) => !(r === native[j] || (Number.isNaN(r) && Number.isNaN(native[j]))),
        ).length;
        expect(differing).toBe(0);
        expect(Number.isNaN(native[0])).toBe(true);
      });
    },
  );

  it.each([
    [[300, 4000], [1]],
    [
      [3, 5, 7],
      [1, 2],
    ],
    [[6, 9], [-1]],
  ])('Sum of %p over trailing axes %p matches cpu', async (shape, axis) => {
    const rng = new Rng(17);
    const x = randomArray(
      shape.reduce((p, q) => p * q, 1),
      rng,
    );
    const results = await onEach(() => [
      tf.sum(tf.tensor(x, shape), axis),
      tf.sum(tf.tensor(x, shape), axis, true),
    ]);
    expect(results['wasm-native'][1].length).toBe(results.cpu[1].length);
    results.cpu.forEach((reference, i) => {
      const native = results['wasm-native'][i];
      const worst = Math.max(...reference.map((r, j) => Math.abs(native[j] - r)));
      expect(worst).toBeLessThan(1e-4);
    });
  });

  it('leaves int32 operands to the previous kernel (same behaviour as plain wasm)', async () => {
    const attempt = async (backend: Backend) => {
      await selectBackend(backend);
      const a = tf.tensor2d([[1, 2]], undefined, 'int32');
      const b = tf.tensor2d([[5], [6]], undefined, 'int32');
      try {
        const sum = Array.from(tf.add(a, tf.tensor2d([[3, 4]], undefined, 'int32')).dataSync());
        return [...sum, ...Array.from(tf.matMul(a, b).dataSync())];
      } catch (error) {
        return (error as Error).message;
      } finally {
        tf.dispose([a, b]);
      }
    };
    expect(await attempt('wasm-native')).toEqual(await attempt('wasm'));
  });

  it('stays correct when the wasm memory grows between allocations', async () => {
    await selectBackend('wasm-native');
    const rng = new Rng(5);
    const a = tf.tensor(randomArray(64 * 32, rng), [64, 32]);
    const b = tf.tensor(randomArray(32 * 16, rng), [32, 16]);
    const before = tf.matMul(a, b).dataSync().slice();
    const big = tf.zeros([64, 1024, 1024]); // 256 MiB: forces the memory to grow
    const after = tf.matMul(a, b).dataSync();
    expect(maxRelDiff(Float32Array.from(after), Float32Array.from(before))).toBe(0);
    tf.dispose([a, b, big]);
  });

  it('switching back to plain wasm restores the previous kernels', async () => {
    await selectBackend('wasm-native');
    const nativeKernel = tf.getKernel(tf.BatchMatMul, 'wasm');
    const selected = await selectBackend('wasm');
    expect(selected.name).toBe('wasm');
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).not.toBe(nativeKernel);
    const again = await selectBackend('wasm-native');
    expect(again.detail).toMatch(/OpenBLAS .*threads/);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')?.kernelFunc).toBe(nativeKernel?.kernelFunc);
  });
});
