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
const { sasrecOuterStep } = require('./sasrecOuterStep');
(async () => {
  const [V, mu, xi, hidden, heads, realBatch] = args;
  const step = await sasrecOuterStep(req, ROOT, { V, mu, xi, hidden, heads, realBatch });
  const out = [];
  for (let r = 0; r < 3; r++) {
    const { forward, real, reverse } = step({ rates: false });
    out.push({ forward, real, reverse });
  }
  console.log(JSON.stringify({ root: ROOT, V, mu, xi, steps: out.slice(1) }));
})();
