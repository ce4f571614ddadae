import type { Rng } from '../random/Rng';
import { PAD } from './Vocabulary';

/**
 * A batch of id sequences on the host: `inputs` and `targets` are row-major `[batchSize, length]`;
 * a target of 0 (padding) contributes no loss.
 */
export interface IdBatch {
  readonly batchSize: number;
  readonly length: number;
  readonly inputs: Int32Array;
  readonly targets: Int32Array;
}

/** Copies the last `length` items of `seq` into `out` (at `offset`), left-padded with 0. */
export function writeLeftPadded(
  seq: ArrayLike<number>,
  length: number,
  out: Int32Array,
  offset: number,
): void {
  const n = Math.min(seq.length, length);
  const start = seq.length - n;
  out.fill(PAD, offset, offset + length - n);
  for (let i = 0; i < n; i++) out[offset + length - n + i] = seq[start + i];
}

/** The last `length` items of `seq`, left-padded with 0. */
export function leftPadded(seq: ArrayLike<number>, length: number): Int32Array {
  const out = new Int32Array(length);
  writeLeftPadded(seq, length, out, 0);
  return out;
}

export interface SequenceBatchOptions {
  maxLength: number;
  batchSize: number;
  /**
   * One example per prefix (predict item t+1 from items ≤ t, loss on the last position only) instead
   * of one window per sequence with a loss at every position.
   */
  everyPrefix?: boolean;
  /** Shuffle the examples with this generator (deterministic from its seed). */
  rng?: Rng;
  /**
   * Cut each batch to its longest window (left padding removed): for models whose outputs at real
   * positions do not depend on the amount of left padding (`Model.leftPaddingInvariant`).
   */
  trim?: boolean;
  /**
   * With `trim`: sort each group of this many shuffled batches by window length and shuffle the
   * batches' order, so that short windows share batches (0 = off).
   */
  lengthBuckets?: number;
}

/**
 * Next-item training batches from item sequences. By default each sequence gives one example: the
 * window of its last `maxLength + 1` items, inputs = window[:-1], targets = window[1:], left-padded.
 */
export function* sequenceBatches(
  sequences: readonly Int32Array[],
  options: SequenceBatchOptions,
): Generator<IdBatch> {
  const { maxLength: L, batchSize } = options;
  // Each example is (sequence, end): inputs are items before `end`, the target at `end`.
  const exampleSeq: number[] = [];
  const exampleEnd: number[] = [];
  sequences.forEach((s, i) => {
    if (s.length < 2) return;
    if (options.everyPrefix) {
      for (let end = 1; end < s.length; end++) {
        exampleSeq.push(i);
        exampleEnd.push(end);
      }
    } else {
      exampleSeq.push(i);
      exampleEnd.push(s.length - 1);
    }
  });
  const order = options.rng
    ? options.rng.permutation(exampleSeq.length)
    : identity(exampleSeq.length);
  const windowLength = (e: number) => Math.min(exampleEnd[e], L);
  const starts: number[] = [];
  for (let start = 0; start < order.length; start += batchSize) starts.push(start);
  const buckets = options.trim ? (options.lengthBuckets ?? 0) : 0;
  if (buckets > 1) {
    const group = buckets * batchSize;
    for (let g = 0; g < order.length; g += group) {
      const part = order.subarray(g, Math.min(order.length, g + group));
      const sorted = Array.from(part).sort((a, b) => windowLength(a) - windowLength(b) || a - b);
      part.set(sorted);
    }
    if (options.rng) options.rng.shuffle(starts);
  }
  for (const start of starts) {
    const size = Math.min(batchSize, order.length - start);
    let width = L;
    if (options.trim) {
      width = 1;
      for (let b = 0; b < size; b++) width = Math.max(width, windowLength(order[start + b]));
    }
    const inputs = new Int32Array(size * width);
    const targets = new Int32Array(size * width);
    for (let b = 0; b < size; b++) {
      const e = order[start + b];
      const seq = sequences[exampleSeq[e]];
      const end = exampleEnd[e];
      writeLeftPadded(seq.subarray(0, end), width, inputs, b * width);
      if (options.everyPrefix) {
        targets[b * width + width - 1] = seq[end];
      } else {
        writeLeftPadded(seq.subarray(1, end + 1), width, targets, b * width);
      }
    }
    yield { batchSize: size, length: width, inputs, targets };
  }
}

export interface TokenBatchOptions {
  /** Tokens per chunk (the model's context length). */
  length: number;
  batchSize: number;
  rng?: Rng;
}

/**
 * Language-modelling batches: the stream is cut into contiguous chunks of `length + 1` tokens that
 * overlap by one (inputs = chunk[:-1], targets = chunk[1:]); chunk order is shuffled if an rng is given.
 */
export function* tokenBatches(stream: Int32Array, options: TokenBatchOptions): Generator<IdBatch> {
  const { length: L, batchSize } = options;
  const count = Math.floor((stream.length - 1) / L);
  const order = options.rng ? options.rng.permutation(count) : identity(count);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const inputs = new Int32Array(size * L);
    const targets = new Int32Array(size * L);
    for (let b = 0; b < size; b++) {
      const offset = order[start + b] * L;
      inputs.set(stream.subarray(offset, offset + L), b * L);
      targets.set(stream.subarray(offset + 1, offset + L + 1), b * L);
    }
    yield { batchSize: size, length: L, inputs, targets };
  }
}

/** Number of examples `sequenceBatches` yields in one pass. */
export function countSequenceExamples(
  sequences: readonly Int32Array[],
  everyPrefix = false,
): number {
  let n = 0;
  for (const s of sequences) if (s.length >= 2) n += everyPrefix ? s.length - 1 : 1;
  return n;
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
