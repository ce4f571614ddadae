// The transposed-A product dE = Gᵀ·X of the checkout at ROOT (built, wasm-native) — the real-data
// loss's embedding gradient, G [K × V], X [K × D] — against the same product computed the other way
// round, (Xᵀ·G)ᵀ (the small operand transposed, then the small result), in one process, ROUNDS
// times each (medians of 9): node tools/bench/scripts/transposedProductAt.js ROOT K V D ROUNDS
const { root: ROOT, req, args } = require('./atCheckout')('transposedProductAt.js', 'K V D ROUNDS');
const tf = req('@tensorflow/tfjs-core');
const { selectBackend } = req('@farzi/core');
(async () => {
  const [K, V, D, rounds] = args;
  await selectBackend('wasm-native');
  const median = (fn) => {
    for (let i = 0; i < 2; i++) tf.dispose(fn());
    const xs = [];
    for (let i = 0; i < 9; i++) {
      const s = performance.now();
      const y = fn();
      xs.push(performance.now() - s);
      y.dispose();
    }
    return xs.sort((a, b) => a - b)[4];
  };
  const G = tf.randomNormal([K, V]);
  const X = tf.randomNormal([K, D]);
  for (let r = 0; r < rounds; r++) {
    const direct = median(() => tf.matMul(G, X, true, false));
    const swapped = median(() => tf.tidy(() => tf.transpose(tf.matMul(X, G, true, false))));
    console.log(JSON.stringify({ root: ROOT, K, V, D, directMs: direct, swappedMs: swapped }));
  }
})();
