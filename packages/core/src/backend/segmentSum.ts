import * as tf from '@tensorflow/tfjs-core';

/** Inputs and sizes of an UnsortedSegmentSum call: `rows` ids, each selecting `inner` values. */
export function geometry({ inputs, attrs }: Parameters<tf.KernelFunc>[0]) {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const innerShape = x.shape.slice(segmentIds.shape.length);
  return {
    x,
    segmentIds,
    numSegments,
    rows: segmentIds.shape.reduce((a, b) => a * b, 1),
    innerShape,
    inner: innerShape.reduce((a, b) => a * b, 1),
  };
}

export function segmentSum(
  ids: ArrayLike<number>,
  values: ArrayLike<number>,
  out: Float32Array | Int32Array,
  rows: number,
  inner: number,
  numSegments: number,
): void {
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const src = r * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += values[src + j];
  }
}
