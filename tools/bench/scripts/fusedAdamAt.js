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
const { sasrecOuterStep, phaseMedians, bits, alternate } = require('./sasrecOuterStep');
const tf = req('@tensorflow/tfjs-core');
const { FUSED_KERNELS } = req('@farzi/kernels-native');
const NAMES = [FUSED_KERNELS.adamUpdateExact, FUSED_KERNELS.adamAdjoint, FUSED_KERNELS.adamRestore];
(async () => {
  const [V, mu, xi, hidden, realBatch, pairs] = args;
  const step = await sasrecOuterStep(req, ROOT, { V, mu, xi, hidden, realBatch });
  const configs = NAMES.map((n) => tf.getKernel(n, 'wasm'));
  if (configs.some((c) => !c)) throw new Error('this checkout has no fused Adam kernels');
  const runs = alternate(['composed', 'fused'], pairs, (kind) => {
    if (kind === 'composed') NAMES.forEach((n) => tf.unregisterKernel(n, 'wasm'));
    const r = step();
    if (kind === 'composed') configs.forEach((c) => tf.registerKernel(c));
    return r;
  });
  const same = runs.fused.every((r, i) => bits(r) === bits(runs.composed[i]));
  const f = phaseMedians(runs.fused);
  const c = phaseMedians(runs.composed);
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
