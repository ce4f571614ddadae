// The two changes to the inner loss's derivatives, in one process (Farzi outer steps of SASRec,
// T 10, the variants taken in turn so that a busy machine slows all alike):
//   base      the reduction gradients' ones hung off the reduced tensor (`onesLike(x)`, as before),
//             the soft-target cross-entropy composed from the log-softmax's ops;
//   fill      the reductions' ones from a backend fill (no tape edge to x), composed loss;
//   fused     the fill, and wasm-native's soft-target cross-entropy kernels (loss, gradient and
//             the gradient's gradient, one call each).
// Prints median seconds per phase, and whether base and fill give the same meta-gradient bit for
// bit (they should: the fill only removes zero cotangents) and how far fused's is from base's:
// node tools/bench/scripts/softXentAt.js ROOT V MU XI HIDDEN REAL_BATCH ROUNDS
const {
  root: ROOT,
  req,
  args,
} = require('./atCheckout')('softXentAt.js', 'V MU XI HIDDEN REAL_BATCH ROUNDS');
const { sasrecOuterStep, relDiff, phaseMedians, bits, alternate } = require('./sasrecOuterStep');
const tf = req('@tensorflow/tfjs-core');
const { FUSED_KERNELS } = req('@farzi/kernels-native');
const NAMES = [FUSED_KERNELS.softXent, FUSED_KERNELS.softXentGrad, FUSED_KERNELS.softXentGradGrad];

/** The reduction gradients as they were: dy times onesLike(x). */
function onesLikeGrad(kernelName, mean) {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis ?? x.shape.map((_, i) => i), x.shape);
      const shape = x.shape.slice();
      axes.forEach((a) => (shape[a] = 1));
      const back = tf.mul(tf.reshape(dy, shape), tf.onesLike(x));
      const size = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => (mean ? tf.div(back, size) : back) };
    },
  };
}

(async () => {
  const [V, mu, xi, hidden, realBatch, rounds] = args;
  const run = await sasrecOuterStep(req, ROOT, { V, mu, xi, hidden, realBatch });
  const kernels = NAMES.map((n) => tf.getKernel(n, 'wasm'));
  if (kernels.some((c) => !c)) throw new Error('this checkout has no soft cross-entropy kernels');
  const fillGrads = [tf.getGradient(tf.Sum), tf.getGradient(tf.Mean)];
  const oldGrads = [onesLikeGrad(tf.Sum, false), onesLikeGrad(tf.Mean, true)];
  const step = (variant) => {
    const silent = console.warn;
    console.warn = () => {}; // tfjs warns when a gradient is overridden
    (variant === 'base' ? oldGrads : fillGrads).forEach((g) => tf.registerGradient(g));
    console.warn = silent;
    if (variant !== 'fused') NAMES.forEach((n) => tf.unregisterKernel(n, 'wasm'));
    const r = run();
    if (variant !== 'fused') kernels.forEach((c) => tf.registerKernel(c));
    return r;
  };
  const runs = alternate(['base', 'fill', 'fused'], rounds, step);
  console.log(
    JSON.stringify({
      V,
      mu,
      xi,
      rounds,
      fillBitForBit: runs.base.every((r, i) => bits(r) === bits(runs.fill[i])),
      fusedRelDiff: ['latent', 'decoder', 'learningRates'].map((name, k) =>
        [name, relDiff(runs.fused[0].values[k], runs.base[0].values[k]).toExponential(2)].join(' '),
      ),
      base: phaseMedians(runs.base),
      fill: phaseMedians(runs.fill),
      fused: phaseMedians(runs.fused),
    }),
  );
})();
