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
const tf = req('@tensorflow/tfjs-core');
const { selectBackend } = req('@farzi/core');
const { appServices } = req('@farzi/cli');
const { farziMetaGradient } = req('@farzi/distill-farzi');
const { toList } = req('@farzi/distill-kit');
const { FUSED_KERNELS } = req('@farzi/kernels-native');
const { syntheticRealBatch, INNER_ADAM } = require(ROOT + '/tools/bench/dist/synthetic');
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
  await selectBackend('wasm-native');
  const kernels = new Map([...SOFTMAX, ...LAYER_NORM].map((n) => [n, tf.getKernel(n, 'wasm')]));
  if ([...kernels.values()].some((c) => !c)) throw new Error('this checkout lacks the kernels');
  const model = appServices()
    .models.get('sasrec')
    .create(
      { hiddenSize: hidden, blocks: 2, heads, dropout: 0.2, loss: 'softmax', initStd: 0.02 },
      { vocabSize: V, maxLength: xi },
    );
  const { names, values: w0 } = toList(model.init(1));
  const latent = tf.randomNormal([mu, xi + 1, 16], 0, 0.5, 'float32', 2);
  const decoder = tf.randomNormal([16, V], 0, 0.5, 'float32', 3);
  const real = syntheticRealBatch(realBatch, xi, V);
  const step = (variant) => {
    OFF[variant].forEach((n) => tf.unregisterKernel(n, 'wasm'));
    const r = farziMetaGradient(model, names, w0, { latent, decoder, temperature: 1 }, real, {
      steps: 10,
      hyper: INNER_ADAM,
      method: 'exact',
      checkpointEvery: 0,
      learningRates: new Array(10).fill(INNER_ADAM.learningRate),
    });
    OFF[variant].forEach((n) => tf.registerKernel(kernels.get(n)));
    const values = [r.latent, r.decoder, r.learningRates].map((t) =>
      Float32Array.from(t.dataSync()),
    );
    tf.dispose([r.latent, r.decoder, r.learningRates]);
    return { ...r.seconds, ...r.reversePhases, values };
  };
  const variants = ['composed', 'softmax', 'both'];
  const runs = { composed: [], softmax: [], both: [] };
  for (let p = 0; p <= rounds; p++) {
    for (const v of p % 2 ? [...variants].reverse() : variants) {
      const r = step(v);
      if (p > 0) runs[v].push(r); // round 0 warms up
    }
  }
  const relDiff = (a, b) => {
    let num = 0;
    let den = 0;
    a.forEach((x, i) => {
      num += (x - b[i]) ** 2;
      den += b[i] ** 2;
    });
    return Math.sqrt(num / Math.max(den, 1e-30));
  };
  const summary = (rs) => ({
    ...Object.fromEntries(
      ['forward', 'real', 'reverse', 'products'].map((k) => [k, median(rs.map((r) => r[k]))]),
    ),
    total: median(rs.map((r) => r.forward + r.real + r.reverse)),
  });
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
      composed: summary(runs.composed),
      softmax: summary(runs.softmax),
      both: summary(runs.both),
    }),
  );
})();
