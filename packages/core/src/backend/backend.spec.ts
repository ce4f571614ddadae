import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors/FarziError';
import { availableEmbeddedBackends, nativeKernelsAvailable } from './wasmNative';
import { selectBackend } from './selectBackend';
import { unsortedSegmentSumCpuConfig } from './cpu/UnsortedSegmentSum';

function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe.each(['cpu', 'wasm'] as const)('embedding gradient on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('sums the gradient of gather over repeated indices (UnsortedSegmentSum)', () => {
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const ids = tf.tensor1d([1, 3, 1, 1], 'int32');
    const weights = tf.tensor2d([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
    const grad = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, ids), weights)))(table);
    expect(tf.getBackend()).toBe(backend);
    expect(grad.arraySync()).toEqual([
      [0, 0],
      [8, 80],
      [0, 0],
      [2, 20],
    ]);
  });

  it('handles 2-D index tensors as in a batch of sequences', () => {
    const table = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
    const ids = tf.tensor2d(
      [
        [0, 1, 1],
        [4, 4, 4],
      ],
      undefined,
      'int32',
    );
    const grad = tf.grad((e: tf.Tensor) => tf.sum(tf.gather(e, ids)))(table);
    expect(grad.arraySync()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [0, 0, 0],
      [0, 0, 0],
      [3, 3, 3],
    ]);
  });
});

describe('Identity on wasm', () => {
  it('shares the data (no copy), and the clone outlives the original', async () => {
    await selectBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.clone(x);
    const data = (t: tf.Tensor) =>
      (
        tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }
      ).dataIdMap.get(t.dataId).memoryOffset;
    expect(data(y)).toBe(data(x));
    x.dispose();
    expect(y.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    // Gradients through ops that save tensors (every clone for the backward pass) are unchanged.
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.exp(a), a)))(y);
    const expected = [1, 2, 3, 4].map((a) => Math.exp(a) * (1 + a));
    Array.from(g.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
    tf.dispose([y, g]);
  });
});

describe('GatherV2 on wasm (row copies in the wasm memory)', () => {
  const gatherOn = async (
    backend: 'cpu' | 'wasm',
    f: () => tf.Tensor,
  ): Promise<{ shape: number[]; values: number[]; dtype: string }> => {
    await selectBackend(backend);
    const t = tf.tidy(f);
    const out = { shape: t.shape, values: Array.from(t.dataSync()), dtype: t.dtype };
    t.dispose();
    return out;
  };
  const x = () =>
    tf.tensor3d(
      Array.from({ length: 2 * 5 * 3 }, (_, i) => i * 0.5 - 3),
      [2, 5, 3],
    );
  const cases: Array<[string, () => tf.Tensor]> = [
    ['axis 0, repeated ids', () => tf.gather(tf.reshape(x(), [10, 3]), [4, 0, 4, 9])],
    [
      'axis 0, 2-D ids (a batch of sequences)',
      () =>
        tf.gather(
          tf.reshape(x(), [10, 3]),
          tf.tensor2d(
            [
              [1, 2],
              [3, 1],
            ],
            undefined,
            'int32',
          ),
        ),
    ],
    ['axis 1', () => tf.gather(x(), [4, 1, 1], 1)],
    ['last axis', () => tf.gather(x(), [2, 0], 2)],
    [
      'batchDims 1',
      () =>
        tf.gather(
          x(),
          tf.tensor2d(
            [
              [0, 4],
              [3, 3],
            ],
            undefined,
            'int32',
          ),
          1,
          1,
        ),
    ],
    ['int32 values', () => tf.gather(tf.tensor1d([7, 8, 9], 'int32'), [2, 2, 0])],
    ['bool values', () => tf.gather(tf.tensor1d([1, 0, 1], 'bool'), [1, 0])],
    ['no ids', () => tf.gather(tf.reshape(x(), [10, 3]), tf.tensor1d([], 'int32'))],
  ];
  it.each(cases)('matches cpu: %s', async (_, f) => {
    expect(await gatherOn('wasm', f)).toEqual(await gatherOn('cpu', f));
  });

  it('refuses ids outside the axis as upstream does', async () => {
    await selectBackend('wasm');
    expect(() => tf.gather(tf.ones([3, 2]), [0, 3])).toThrow(/index value 3 is not in \[0, 2\]/);
  });
});

describe('Cast on wasm', () => {
  it('shares the data when the dtype does not change and converts otherwise', async () => {
    await selectBackend('wasm');
    const offset = (t: tf.Tensor) =>
      (
        tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }
      ).dataIdMap.get(t.dataId).memoryOffset;
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const same = tf.cast(x, 'float32');
    expect(offset(same)).toBe(offset(x));
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.7, -2.2, 0].map(Math.fround));
    expect(Array.from(tf.cast(same, 'int32').dataSync())).toEqual([1, -2, 0]);
    expect(Array.from(tf.cast(same, 'bool').dataSync())).toEqual([1, 1, 0]);
    same.dispose();
  });
});

/** An op's result on a backend: shape, dtype and values. */
async function resultOn(backend: 'cpu' | 'wasm' | 'wasm-native', f: () => tf.Tensor) {
  await selectBackend(backend);
  const t = tf.tidy(f);
  const out = { shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) };
  t.dispose();
  return out;
}

describe.each(availableEmbeddedBackends().filter((b) => b !== 'cpu'))(
  'Sum on %s over leading axes (column sums)',
  (backendName) => {
    const x = () =>
      tf.tensor3d(
        Array.from({ length: 4 * 5 * 6 }, (_, i) => Math.sin(i) * 10),
        [4, 5, 6],
      );
    const cases: Array<[string, () => tf.Tensor]> = [
      ['axis 0 of a matrix', () => tf.sum(tf.reshape(x(), [20, 6]), 0)],
      ['axes [0, 1]', () => tf.sum(x(), [0, 1])],
      ['axes [1, 0], keepDims', () => tf.sum(x(), [1, 0], true)],
      ['axis 0 of rank 3', () => tf.sum(x(), 0)],
      ['last axis (upstream kernel)', () => tf.sum(x(), -1)],
      ['all axes (upstream kernel)', () => tf.sum(x())],
      [
        'int32 (upstream kernel)',
        () =>
          tf.sum(
            tf.tensor2d(
              [
                [1, 2],
                [3, 4],
              ],
              undefined,
              'int32',
            ),
            0,
          ),
      ],
    ];
    it.each(cases)('matches cpu: %s', async (_, f) => {
      const wasm = await resultOn(backendName, f);
      const cpu = await resultOn('cpu', f);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(wasm.dtype).toEqual(cpu.dtype);
      wasm.values.forEach((v, i) => expect(v).toBeCloseTo(cpu.values[i], 4));
    });
  },
);

describe.each(availableEmbeddedBackends().filter((b) => b !== 'cpu'))(
  'Max on %s over the last axes (row maxima)',
  (backendName) => {
    // Rows with NaN first, NaN later, ±Infinity, all equal, one column; 37 columns (not a multiple
    // of the 8 lanes) and 1,000 rows (two threads on wasm-native).
    const x = () => {
      const v = Array.from({ length: 1000 * 37 }, (_, i) => Math.sin(i * 0.7) * 50);
      v[0] = NaN;
      v[37 + 5] = NaN;
      v[2 * 37 + 36] = Infinity;
      for (let c = 0; c < 37; c++) v[3 * 37 + c] = -Infinity;
      for (let c = 0; c < 37; c++) v[4 * 37 + c] = 2.5;
      return tf.tensor2d(v, [1000, 37]);
    };
    const cases: Array<[string, () => tf.Tensor]> = [
      ['last axis', () => tf.max(x(), -1)],
      ['last axis, keepDims', () => tf.max(x(), 1, true)],
      ['last two axes of rank 3', () => tf.max(tf.reshape(x(), [10, 100, 37]), [2, 1])],
      ['one column', () => tf.max(tf.reshape(x(), [37000, 1]), -1)],
      ['axis 0 (upstream kernel)', () => tf.max(x(), 0)],
      ['all axes (upstream kernel)', () => tf.max(tf.slice(x(), [5, 0], [995, 37]))],
      [
        'int32 (upstream kernel)',
        () =>
          tf.max(
            tf.tensor2d(
              [
                [1, 7],
                [3, -4],
              ],
              undefined,
              'int32',
            ),
            1,
          ),
      ],
    ];
    it.each(cases)('matches cpu: %s', async (_, f) => {
      const wasm = await resultOn(backendName, f);
      const cpu = await resultOn('cpu', f);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(wasm.dtype).toEqual(cpu.dtype);
      expect(wasm.values).toEqual(cpu.values);
    });
  },
);

describe('UnsortedSegmentSum on cpu', () => {
  it('replaces the upstream kernel and matches a plain loop (ids out of range dropped)', async () => {
    await selectBackend('cpu');
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'cpu')?.kernelFunc).toBe(
      unsortedSegmentSumCpuConfig.kernelFunc,
    );
    const x = tf.randomNormal([7, 3, 2], 0, 1, 'float32', 4);
    const ids = [2, 0, 2, 5, -1, 4, 2];
    const got = tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), 5);
    const values = x.arraySync() as number[][][];
    const expected = Array.from({ length: 5 }, () => [
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    ids.forEach((s, r) => {
      if (s < 0 || s >= 5) return;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expected[s][i][j] += values[r][i][j];
    });
    expect(got.shape).toEqual([5, 3, 2]);
    const flat = got.dataSync();
    expected.flat(2).forEach((v, i) => expect(flat[i]).toBeCloseTo(v, 5));
  });
});

describe('selectBackend', () => {
  it('activates the requested embedded backends', async () => {
    expect((await selectBackend('wasm')).tfBackend).toBe('wasm');
    expect((await selectBackend('cpu')).tfBackend).toBe('cpu');
  });

  it('picks the fastest available backend for auto and says what it skipped', async () => {
    const selected = await selectBackend('auto');
    if (isInstalled('@tensorflow/tfjs-node-gpu') || isInstalled('@tensorflow/tfjs-node')) {
      expect(['tensorflow-gpu', 'tensorflow']).toContain(selected.name);
    } else {
      expect(selected.skipped.slice(0, 2)).toEqual([
        'tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed',
        'tensorflow: @tensorflow/tfjs-node is not installed',
      ]);
      if (nativeKernelsAvailable()) {
        expect(selected.name).toBe('wasm-native');
        expect(selected.skipped).toHaveLength(2);
      } else {
        expect(selected.name).toBe('wasm');
        expect(selected.skipped[2]).toMatch(/^wasm-native: the OpenBLAS addon is not built/);
      }
    }
  });

  it('says how to install a native backend that is missing', async () => {
    if (isInstalled('@tensorflow/tfjs-node')) return; // nothing to check where it is installed
    await expect(selectBackend('tensorflow')).rejects.toThrow(UserError);
    await expect(selectBackend('tensorflow')).rejects.toThrow(
      /backend: "tensorflow" is not available here \(@tensorflow\/tfjs-node is not installed\); install it with `npm install @tensorflow\/tfjs-node`/,
    );
  });
});
