// The second derivatives of attention's masked softmax and of layer norm, in one process: Farzi
// outer steps of SASRec, T 10, with
//   composed  both composed from ops (the row-softmax kernels and layer norm's second-derivative
//             kernel unregistered; the double backward differentiates the ops' gradients),
//   softmax   wasm-native's three row-softmax kernels (softmax, gradient, the gradient's gradient),
//   both      those and layer norm's second-derivative kernel,
// taken in turn (order alternating by round) so that a busy machine slows all alike. Prints median
// seconds per phase and how far each fused meta-gradient lands from the composed one (relative
// L2; the row sums' order changes, so not bit for bit):
// node tools/bench/scripts/secondOrderAt.js ROOT V MU XI HIDDEN HEADS REAL_BATCH ROUNDS
const {
  root: ROOT,
  req,
  args,
} = require('./atCheckout')('secondOrderAt.js', 'V MU XI HIDDEN HEADS REAL_BATCH ROUNDS');
const { sasrecOuterStep, relDiff, phaseMedians, alternate } = require('./sasrecOuterStep');
const tf = req('@tensorflow/tfjs-core');
const { FUSED_KERNELS } = req('@farzi/kernels-native');
const SOFTMAX = [
  FUSED_KERNELS.softmaxRows,
  FUSED_KERNELS.softmaxRowsGrad,
  FUSED_KERNELS.softmaxRowsGradGrad,
];
const LAYER_NORM = [FUSED_KERNELS.layerNormGradGrad];
const OFF = { composed: [...SOFTMAX, ...LAYER_NORM], softmax: LAYER_NORM, both: [] };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const [V, mu, xi, hidden, heads, realBatch, rounds] = args;
  const run = await sasrecOuterStep(req, ROOT, { V, mu, xi, hidden, heads, realBatch });
  const kernels = new Map([...SOFTMAX, ...LAYER_NORM].map((n) => [n, tf.getKernel(n, 'wasm')]));
  if ([...kernels.values()].some((c) => !c)) throw new Error('this checkout lacks the kernels');
  const step = (variant) => {
    OFF[variant].forEach((n) => tf.unregisterKernel(n, 'wasm'));
    const r = run();
    OFF[variant].forEach((n) => tf.registerKernel(kernels.get(n)));
    return r;
  };
  const runs = alternate(['composed', 'softmax', 'both'], rounds, step);
  console.log(
    JSON.stringify({
      V,
      mu,
      xi,
      heads,
      rounds,
      relDiff: Object.fromEntries(
        ['softmax', 'both'].map((v) => [
          v,
          ['latent', 'decoder', 'learningRates'].map((name, k) =>
            [name, relDiff(runs[v][0].values[k], runs.composed[0].values[k]).toExponential(2)].join(
              ' ',
            ),
          ),
        ]),
      ),
      composed: phaseMedians(runs.composed, ['forward', 'real', 'reverse', 'products']),
      softmax: phaseMedians(runs.softmax, ['forward', 'real', 'reverse', 'products']),
      both: phaseMedians(runs.both, ['forward', 'real', 'reverse', 'products']),
    }),
  );
})();
