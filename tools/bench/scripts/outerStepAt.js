// Times three Farzi outer steps (the first a warm-up) of the checkout at ROOT (built), with the
// benchmark's call (tools/bench/src/outerStep.ts), so that two commits can be compared with
// `farm-bench --vs`: node tools/bench/scripts/outerStepAt.js ROOT V MU XI HIDDEN HEADS REAL_BATCH
// (e.g. a `git worktree` of an older commit as one ROOT and this checkout as the other).
// Prints the seconds of the last two steps.
const {
  root: ROOT,
  req,
  args,
} = require('./atCheckout')('outerStepAt.js', 'V MU XI HIDDEN HEADS REAL_BATCH');
const tf = req('@tensorflow/tfjs-core');
const { selectBackend } = req('@farzi/core');
const { appServices } = req('@farzi/cli');
const { farziMetaGradient } = req('@farzi/distill-farzi');
const { toList } = req('@farzi/distill-kit');
const { syntheticRealBatch, INNER_ADAM } = require(ROOT + '/tools/bench/dist/synthetic');
(async () => {
  const [V, mu, xi, hidden, heads, realBatch] = args;
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
  const out = [];
  for (let r = 0; r < 3; r++) {
    const res = farziMetaGradient(model, names, w0, { latent, decoder, temperature: 1 }, real, {
      steps: 10,
      hyper: INNER_ADAM,
      method: 'exact',
      checkpointEvery: 0,
    });
    tf.dispose([res.latent, res.decoder]);
    out.push(res.seconds);
  }
  console.log(JSON.stringify({ root: ROOT, V, mu, xi, steps: out.slice(1) }));
})();
