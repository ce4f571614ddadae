/**
 * The largest absolute difference between `x` and the reference `y`, relative to the largest
 * magnitude in `y` (at least 1e-6): one number to hold a whole tensor against a tolerance.
 */
export function maxRelDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`lengths differ: ${x.length} vs ${y.length}`);
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]));
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
  }
  return diff / scale;
}
