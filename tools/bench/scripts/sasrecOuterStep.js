// Shared by the *At.js scripts that time Farzi outer steps of SASRec at a checkout: the model and
// synthetic Farzi data of the given sizes (fixed seeds), a function running one outer step (T 10)
// that returns its seconds by phase and its meta-gradient's values, and the summaries they print.
// const step = await sasrecOuterStep(req, root, { V, mu, xi, hidden, heads, realBatch });
// step({ rates: true }) → { forward, real, reverse, products, adjoint, pullBack, values: [latent,
// decoder, learningRates] } (rates: pass the per-step learning rates, so that their gradient is
// part of the values).
async function sasrecOuterStep(req, root, { V, mu, xi, hidden, heads = 1, realBatch }) {
  const tf = req('@tensorflow/tfjs-core');
  const { selectBackend } = req('@farzi/core');
  const { appServices } = req('@farzi/cli');
  const { farziMetaGradient } = req('@farzi/distill-farzi');
  const { toList } = req('@farzi/distill-kit');
  const { syntheticRealBatch, INNER_ADAM } = require(root + '/tools/bench/dist/synthetic');
  await selectBackend('wasm-native');
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
  return ({ rates = true } = {}) => {
    const r = farziMetaGradient(model, names, w0, { latent, decoder, temperature: 1 }, real, {
      steps: 10,
      hyper: INNER_ADAM,
      method: 'exact',
      checkpointEvery: 0,
      ...(rates ? { learningRates: new Array(10).fill(INNER_ADAM.learningRate) } : {}),
    });
    const tensors = [r.latent, r.decoder, r.learningRates].filter(Boolean);
    const values = tensors.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(tensors);
    return { ...r.seconds, ...r.reversePhases, values };
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Relative L2 distance of a from b. */
function relDiff(a, b) {
  let num = 0;
  let den = 0;
  a.forEach((x, i) => {
    num += (x - b[i]) ** 2;
    den += b[i] ** 2;
  });
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Median seconds per phase over runs of `step`, and of their sum (forward + real + reverse). */
function phaseMedians(runs, phases = ['forward', 'real', 'reverse', 'products', 'adjoint']) {
  return {
    ...Object.fromEntries(phases.map((k) => [k, median(runs.map((r) => r[k]))])),
    total: median(runs.map((r) => r.forward + r.real + r.reverse)),
  };
}

/**
 * Runs step(variant) for every variant, rounds + 1 times, in an order that alternates by round so
 * that a busy machine slows all alike; round 0 warms up. Returns the runs by variant.
 */
function alternate(variants, rounds, step) {
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  for (let p = 0; p <= rounds; p++) {
    for (const v of p % 2 ? [...variants].reverse() : variants) {
      const r = step(v);
      if (p > 0) runs[v].push(r);
    }
  }
  return runs;
}

/** The values as one string, to compare runs bit for bit. */
const bits = (r) => r.values.map((x) => Buffer.from(x.buffer).toString('base64')).join();

module.exports = { sasrecOuterStep, median, relDiff, phaseMedians, bits, alternate };
