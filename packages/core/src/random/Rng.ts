/**
 * A small seeded pseudo-random generator (sfc32) whose whole state is four 32-bit words, so it can
 * be saved in a checkpoint and restored exactly.
 */
export type RngState = [number, number, number, number];

/**
 * The keep probability a dropout mask from `Rng.fillMask` really has for `rate`: the rate rounded
 * up to a multiple of 2⁻¹⁶ (each value is one 16-bit draw).
 */
export function maskKeepProbability(rate: number): number {
  return (65536 - Math.min(65536, Math.max(0, Math.ceil(rate * 65536)))) / 65536;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | RngState) {
    if (Array.isArray(seed)) {
      [this.a, this.b, this.c, this.d] = seed.map((x) => x >>> 0) as RngState;
      return;
    }
    // splitmix32 expands the seed into four well-mixed words.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * An index drawn in proportion to the weights whose running sums `cumulative` holds, searching
   * `from..cumulative.length − 1` (one draw of the generator).
   */
  pickCumulative(cumulative: Float64Array, from = 0): number {
    const r = this.next() * cumulative[cumulative.length - 1];
    let lo = from;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A fresh seed for a tensor op or a child generator. */
  seed(): number {
    return this.nextUint32() % 2147483647;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[] | Int32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /**
   * A dropout mask in one tight loop: each value is `keep` with probability 1 − `rate`, else 0,
   * where `rate` is rounded up to a multiple of 2⁻¹⁶. Every draw of `nextUint32`'s sequence gives two
   * values: its low 16 bits, then its high 16 bits, each kept when ≥ ⌈rate · 2¹⁶⌉. Returns the
   * keep probability actually used (1 − the rounded rate).
   */
  fillMask(out: Float32Array, rate: number, keep: number): number {
    const bound = Math.min(65536, Math.max(0, Math.ceil(rate * 65536)));
    let a = this.a | 0;
    let b = this.b | 0;
    let c = this.c | 0;
    let d = this.d | 0;
    // Signed 32-bit arithmetic (the same bits as nextUint32) keeps every value a small integer.
    for (let i = 0; i < out.length; i += 2) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      out[i] = (t & 0xffff) >= bound ? keep : 0;
      if (i + 1 < out.length) out[i + 1] = t >>> 16 >= bound ? keep : 0;
    }
    this.a = a; // as nextUint32 stores it (b ^ (b >>> 9) is a signed 32-bit value)
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    return maskKeepProbability(rate);
  }

  getState(): RngState {
    return [this.a, this.b, this.c, this.d];
  }
}
