import { nativeBlas } from './blas';

// The addon's own argument checks (the kernels are tested against wasm and cpu in core, where the
// backends live). CI sets FARZI_REQUIRE_NATIVE=1 so that a missing addon fails instead of skipping.
const blas = nativeBlas();
const available = typeof blas !== 'string';
const describeAddon =
  available || process.env.FARZI_REQUIRE_NATIVE === '1' ? describe : describe.skip;

describeAddon('the OpenBLAS addon', () => {
  const addon = () => {
    if (typeof blas === 'string') throw new Error(blas);
    return blas;
  };
  const one = Int32Array.of(0);

  it('multiplies row-major matrices at byte offsets in a buffer', () => {
    const heap = new Float32Array(64);
    heap.set([1, 2, 3, 4, 5, 6], 4); // A 2×3 at byte 16
    heap.set([1, 0, 0, 1, 1, 1], 16); // B 3×2 at byte 64
    addon().sgemmBatched(heap.buffer, 16, 64, 128, 2, 2, 3, false, false, one, one);
    expect(Array.from(heap.slice(32, 36))).toEqual([4, 5, 10, 11]);
  });

  /**
   * A batch of two products op(A[i])·op(B[0]) (the second B broadcast from the first) through the
   * addon, against a double-precision sum at every `rowStep`-th row and `colStep`-th column of C:
   * the worst |C − ref| relative to Σ|a·b| (the sum's own rounding scale).
   */
  const worstBatchedError = (
    [m, n, k]: readonly [number, number, number],
    ta: boolean,
    tb: boolean,
    value: (i: number) => number,
    [rowStep, colStep]: readonly [number, number],
  ): number => {
    const heap = new Float32Array(2 * m * k + k * n + 2 * m * n);
    for (let i = 0; i < 2 * m * k + k * n; i++) heap[i] = value(i);
    const bOff = 2 * m * k;
    const cOff = bOff + k * n;
    addon().sgemmBatched(
      heap.buffer,
      0,
      4 * bOff,
      4 * cOff,
      m,
      n,
      k,
      ta,
      tb,
      Int32Array.of(0, 1),
      Int32Array.of(0, 0),
    );
    let worst = 0;
    for (let batch = 0; batch < 2; batch++)
      for (let i = 0; i < m; i += rowStep)
        for (let j = 0; j < n; j += colStep) {
          let ref = 0;
          let scale = 0;
          for (let p = 0; p < k; p++) {
            const a = heap[batch * m * k + (ta ? p * m + i : i * k + p)];
            const ab = a * heap[bOff + (tb ? j * k + p : p * n + j)];
            ref += ab;
            scale += Math.abs(ab);
          }
          const got = heap[cOff + batch * m * n + i * n + j];
          worst = Math.max(worst, Math.abs(got - ref) / Math.max(scale, 1e-30));
        }
    return worst;
  };

  it('computes large outputs with a short inner dimension (row blocks over threads) as the plain product', () => {
    // m·n ≥ 2²⁰ and k ≤ 256 take the blocked path: 1,100 rows in blocks of 131, split between
    // threads, the last block partial.
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const value = (i: number) => Math.sin(i * 0.37) + (i % 5) * 0.1;
      const worst = worstBatchedError([1100, 1000, 7], ta, tb, value, [7, 3]);
      expect([ta, tb, worst < 1e-6]).toEqual([ta, tb, true]);
    }
  });

  it('computes the transposed-A product with a long inner dimension (the swapped path) as the plain product', () => {
    // Aᵀ·B with k ≥ 2048 and 4n ≤ m goes the other way round, (Bᵀ·A)ᵀ through a scratch matrix;
    // m and n not multiples of the transpose's 32 × 32 blocks; the same sizes with B transposed
    // (the plain path) for comparison.
    for (const tb of [false, true]) {
      const value = (i: number) => Math.cos(i * 0.61) + (i % 3) * 0.2;
      const worst = worstBatchedError([197, 45, 2100], true, tb, value, [2, 3]);
      expect([tb, worst < 1e-6]).toEqual([tb, true]);
    }
  });

  it('refuses operands outside the buffer, misaligned offsets and bad arguments', () => {
    const buffer = new ArrayBuffer(64);
    expect(() => addon().sgemmBatched(buffer, 0, 0, 60, 2, 2, 2, false, false, one, one)).toThrow(
      /outside the buffer/,
    );
    expect(() => addon().sgemmBatched(buffer, 2, 0, 0, 1, 1, 1, false, false, one, one)).toThrow(
      /outside the buffer/,
    );
    expect(() =>
      addon().sgemmBatched(buffer, 0, 0, 0, 1, 1, 1, false, false, Int32Array.of(20), one),
    ).toThrow(/outside the buffer/);
    expect(() =>
      addon().sgemmBatched(buffer, 0, 0, 0, 1, 1, 1, false, false, Int32Array.of(-1), one),
    ).toThrow(/negative batch index/);
    expect(() =>
      (addon().sgemmBatched as unknown as (...args: unknown[]) => void)(
        buffer,
        0,
        0,
        0,
        1,
        1,
        1,
        false,
        false,
        [0],
        one,
      ),
    ).toThrow(/Int32Array/);
  });

  it('exponentiates in place of the buffer and refuses out-of-bounds ranges', () => {
    const heap = new Float32Array(8);
    heap.set([0, 1, -1, NaN], 0);
    addon().expFloat(heap.buffer, 0, 16, 4);
    expect(heap[4]).toBe(1);
    expect(heap[5]).toBeCloseTo(Math.E, 6);
    expect(heap[6]).toBeCloseTo(1 / Math.E, 6);
    expect(Number.isNaN(heap[7])).toBe(true);
    expect(() => addon().expFloat(heap.buffer, 0, 20, 4)).toThrow(/outside the buffer/);
    const loose = addon().expFloat as unknown as (...args: unknown[]) => void;
    expect(() => loose(heap, 0, 16, 4)).toThrow(/expFloat: buffer must be an ArrayBuffer/);
    expect(() => loose(heap.buffer, 0, 16)).toThrow(/expFloat: expected 4 arguments/);
  });

  it('exponentiates inputs far below zero (the range libmvec handles slowly) correctly', () => {
    const x = Float32Array.from([-79.9, -80, -81, -87.5, -95, -103, -104.5, -1e9, -Infinity, 3]);
    const heap = new Float32Array(2 * x.length);
    heap.set(x, 0);
    addon().expFloat(heap.buffer, 0, 4 * x.length, x.length);
    x.forEach((v, i) => {
      const want = Math.exp(v);
      expect(Math.abs(heap[x.length + i] - want)).toBeLessThanOrEqual(want * 1e-6 + 1.5e-45);
    });
  });

  it('computes the softmax cross-entropy and its gradient of a hand-worked example', () => {
    // Rows [0, ln 3] with label 1 and [1, 1] with label 0; gradient scales 1 and 2.
    const heap = new Float32Array(16);
    heap.set([0, Math.log(3), 1, 1], 0); // logits at byte 0
    new Int32Array(heap.buffer).set([1, 0], 4); // labels at byte 16
    heap.set([1, 2], 10); // scale at byte 40
    addon().softmaxXent(heap.buffer, 0, 16, 24, 32, 2, 2);
    expect(heap[6]).toBeCloseTo(Math.log(4) - Math.log(3), 6); // loss
    expect(heap[7]).toBeCloseTo(Math.log(2), 6);
    expect(heap[8]).toBeCloseTo(Math.log(4), 6); // lse
    expect(heap[9]).toBeCloseTo(1 + Math.log(2), 6);
    addon().softmaxXentGrad(heap.buffer, 0, 32, 16, 40, 48, 2, 2);
    [0.25, -0.25, -1, 1].forEach((g, i) => expect(heap[12 + i]).toBeCloseTo(g, 6));
  });

  it('refuses labels outside [0, classes) and operands outside the buffer', () => {
    const heap = new Float32Array(16);
    new Int32Array(heap.buffer).set([1, 2], 4);
    expect(() => addon().softmaxXent(heap.buffer, 0, 16, 24, 32, 2, 2)).toThrow(
      /label 2 of row 1 is outside \[0, 2\)/,
    );
    expect(() => addon().softmaxXent(heap.buffer, 0, 16, 24, 60, 2, 2)).toThrow(
      /outside the buffer/,
    );
    expect(() => addon().softmaxXentGrad(heap.buffer, 0, 32, 16, 40, 48, 2, 3)).toThrow(
      /outside the buffer/,
    );
  });

  it('layer-normalises rows and computes the gradient of a hand-worked example', () => {
    // One row x = [1, 3], gain [2, 1], bias [0, 1], eps 0: mean 2, var 1, x̂ = [-1, 1].
    const heap = new Float32Array(32);
    heap.set([1, 3], 0); // x at byte 0
    heap.set([2, 1], 2); // gain at byte 8
    heap.set([0, 1], 4); // bias at byte 16
    addon().layerNorm(heap.buffer, 0, 8, 16, 24, 40, 44, 1, 2, 0);
    expect(Array.from(heap.slice(6, 8))).toEqual([-2, 2]); // y = x̂·gain + bias
    expect([heap[10], heap[11]]).toEqual([2, 1]); // mean, rstd
    // dy = [1, 0]: g = gain·dy = [2, 0], mean(g) = 1, mean(g·x̂) = -1,
    // dx = rstd·(g − 1 + x̂) = [0, 0]; dgain = dy·x̂ = [-1, 0]; dbias = dy = [1, 0].
    heap.set([1, 0], 12); // dy at byte 48
    addon().layerNormGrad(heap.buffer, 0, 8, 40, 44, 48, 64, 80, 88, 1, 2);
    expect(Array.from(heap.slice(16, 18))).toEqual([0, 0]);
    expect(Array.from(heap.slice(20, 22))).toEqual([-1, 0]);
    expect(Array.from(heap.slice(22, 24))).toEqual([1, 0]);
    expect(() => addon().layerNorm(heap.buffer, 0, 8, 16, 124, 40, 44, 1, 2, 0)).toThrow(
      /outside the buffer/,
    );
    expect(() => addon().layerNorm(heap.buffer, 0, 8, 16, 24, 40, 44, 1, 2, -1)).toThrow(
      /invalid sizes or epsilon/,
    );
  });

  it('sums over leading axes (column sums)', () => {
    const heap = new Float32Array(12);
    heap.set([1, 2, 3, 4, 5, 6], 0); // 3 rows × 2
    addon().sumLeading(heap.buffer, 0, 32, 3, 2);
    expect(Array.from(heap.slice(8, 10))).toEqual([9, 12]);
    expect(() => addon().sumLeading(heap.buffer, 0, 32, 7, 2)).toThrow(/outside the buffer/);
  });

  it('takes an Adam step as the composed update does (hand-computed)', () => {
    // w 1, g 0.5, m 0, v 0, t 1: m' = 0.05, v' = 0.00025, m̂ = 0.5, v̂ = 0.25, u = 0.5 / (0.5 + eps).
    const heap = new Float32Array(8);
    heap.set([1, 0.5, 0, 0], 0);
    const hyper = Float64Array.of(0.1, 0.9, 0.999, 1e-8, 0, 0, 1);
    addon().adamUpdate(heap.buffer, 0, 4, 8, 12, 16, 20, 24, 1, hyper);
    expect(heap[4]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 5); // float32 arithmetic
    expect(heap[5]).toBeCloseTo(0.05, 7);
    expect(heap[6]).toBeCloseTo(0.00025, 8);
    expect(() => addon().adamUpdate(heap.buffer, 0, 4, 8, 12, 16, 20, 32, 1, hyper)).toThrow(
      /outside the buffer/,
    );
    const loose = addon().adamUpdate as unknown as (...args: unknown[]) => void;
    expect(() => loose(heap.buffer, 0, 4, 8, 12, 16, 20, 24, 1, [0.1])).toThrow(
      /Float64Array of 7/,
    );
  });

  it('reverses an Adam step in two halves (adamExact, hand-computed)', () => {
    // Step 1 from w 1, m 0, v 0 with g 0.5 (lr 0.1, β 0.9 / 0.999, ε 0): m 0.05, v 0.00025,
    // m̂ 0.5, √v̂ 0.5, update 1, w 0.9. Reversed with dw 1, dm 0, dv 0: w₀ = 0.9 + 0.1 = 1,
    // dm_t = −0.1 / (0.1 · 0.5) = −2, dv_t = 0.1 · 0.5 / (2 · 0.001 · 0.5 · 0.25) = 200, α-integrand 1.
    const heap = new Float32Array(22);
    heap.set([0.9, 0.05, 0.00025, 1, 0, 0], 0);
    const lr = 0.1;
    const c1 = 1 - 0.9;
    const c2 = 1 - 0.999;
    const adjoint = Float64Array.of(c1, c2, 0, 0, lr, 1, 0, -lr / c1, lr / (2 * c2), 1e-20);
    const at = (...floats: number[]) => Float64Array.from(floats.map((f) => f * 4));
    addon().adamExact(heap.buffer, 1, at(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 1, adjoint);
    expect(heap[6]).toBeCloseTo(1, 6);
    expect(heap[7]).toBeCloseTo(-2, 4);
    expect(heap[8]).toBeCloseTo(200, 1);
    expect(heap[9]).toBeCloseTo(1, 5);
    // Restore with g 0.5 and hw 3: m₀ = (0.05 − 0.1·0.5)/0.9 = 0, v₀ = 0, dw = 1·1 + 3 = 4,
    // dm = 0.9·dm_t, dv = 0.999·dv_t.
    heap.set([0.5, 3], 10);
    const restore = Float64Array.of(0.1, 0.9, 0.001, 0.999, 1);
    addon().adamExact(heap.buffer, 2, at(1, 2, 10, 3, 11, 7, 8, 12, 13, 14, 15, 16), 1, restore);
    expect(Math.abs(heap[12])).toBeLessThan(1e-8);
    expect(Math.abs(heap[13])).toBeLessThan(1e-9);
    expect(heap[14]).toBe(4);
    expect(heap[15]).toBeCloseTo(-1.8, 4);
    expect(heap[16]).toBeCloseTo(199.8, 1);
    expect(() =>
      addon().adamExact(heap.buffer, 2, at(1, 2, 10, 3, 11, 7, 8, 12, 13, 14, 15, 22), 1, restore),
    ).toThrow(/outside the buffer/);
    expect(() => addon().adamExact(heap.buffer, 1, at(0, 1), 1, adjoint)).toThrow(
      /offsets must be a Float64Array of 10 \(adjoint\)/,
    );
    expect(() => addon().adamExact(heap.buffer, 3, at(0), 1, adjoint)).toThrow(/invalid mode/);
  });

  it('reports its OpenBLAS build and threads', () => {
    expect(addon().config()).toMatch(/OpenBLAS/);
    expect(addon().threads()).toBeGreaterThanOrEqual(1);
  });
});
