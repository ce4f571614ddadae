// The fused Adam kernels of wasm-native (the inner loop's update, the reverse pass's two halves)
// against the composed ops they replace, in one process: Farzi outer steps (SASRec, T 10) taken in
// turn with the kernels registered and unregistered, so that a busy machine slows both alike.
// Checks that both give the same meta-gradient bit for bit, and prints the median seconds per
// phase of each: node tools/bench/scripts/fusedAdamAt.js ROOT V MU XI HIDDEN REAL_BATCH PAIRS
const {
  root: ROOT,
  req,
  args,
} = require('./atCheckout')('fusedAdamAt.js', 'V MU XI HIDDEN REAL_BATCH PAIRS');
const tf = req('@tensorflow/tfjs-core');
const { selectBackend } = req('@farzi/core');
const { appServices } = req('@farzi/cli');
const { farziMetaGradient } = req('@farzi/distill-farzi');
const { toList } = req('@farzi/distill-kit');
const { FUSED_KERNELS } = req('@farzi/kernels-native');
const { syntheticRealBatch, INNER_ADAM } = require(ROOT + '/tools/bench/dist/synthetic');
const NAMES = [FUSED_KERNELS.adamUpdateExact, FUSED_KERNELS.adamAdjoint, FUSED_KERNELS.adamRestore];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
(async () => {
  const [V, mu, xi, hidden, realBatch, pairs] = args;
  await selectBackend('wasm-native');
  const configs = NAMES.map((n) => tf.getKernel(n, 'wasm'));
  if (configs.some((c) => !c)) throw new Error('this checkout has no fused Adam kernels');
  const model = appServices()
    .models.get('sasrec')
    .create(
      { hiddenSize: hidden, blocks: 2, heads: 1, dropout: 0.2, loss: 'softmax', initStd: 0.02 },
      { vocabSize: V, maxLength: xi },
    );
  const { names, values: w0 } = toList(model.init(1));
  const latent = tf.randomNormal([mu, xi + 1, 16], 0, 0.5, 'float32', 2);
  const decoder = tf.randomNormal([16, V], 0, 0.5, 'float32', 3);
  const real = syntheticRealBatch(realBatch, xi, V);
  const step = () => {
    const r = farziMetaGradient(model, names, w0, { latent, decoder, temperature: 1 }, real, {
      steps: 10,
      hyper: INNER_ADAM,
      method: 'exact',
      checkpointEvery: 0,
      learningRates: new Array(10).fill(INNER_ADAM.learningRate),
    });
    const bits = [r.latent, r.decoder, r.learningRates].map((t) =>
      Buffer.from(t.dataSync().buffer).toString('base64'),
    );
    tf.dispose([r.latent, r.decoder, r.learningRates]);
    return { ...r.seconds, ...r.reversePhases, bits: bits.join() };
  };
  const runs = { fused: [], composed: [] };
  for (let p = 0; p <= pairs; p++) {
    for (const kind of p % 2 ? ['fused', 'composed'] : ['composed', 'fused']) {
      if (kind === 'composed') NAMES.forEach((n) => tf.unregisterKernel(n, 'wasm'));
      const r = step();
      if (kind === 'composed') configs.forEach((c) => tf.registerKernel(c));
      if (p > 0) runs[kind].push(r); // pair 0 warms up
    }
  }
  const same = runs.fused.every((r, i) => r.bits === runs.composed[i].bits);
  const summary = (rs) =>
    Object.fromEntries(
      ['forward', 'real', 'reverse', 'products', 'adjoint'].map((k) => [
        k,
        median(rs.map((r) => r[k])),
      ]),
    );
  const f = summary(runs.fused);
  const c = summary(runs.composed);
  console.log(
    JSON.stringify({
      V,
      mu,
      xi,
      pairs,
      bitForBit: same,
      fused: f,
      composed: c,
      total: { fused: f.forward + f.real + f.reverse, composed: c.forward + c.real + c.reverse },
    }),
  );
  if (!same) process.exit(1);
})();
