// Times the SASRec logits product X·Eᵀ ([6400×50]·[1683×50]ᵀ, wasm-native) of the checkout at ROOT
// (built), 41 times, and prints the median in ms; for `farm-bench --vs` between two checkouts:
// node tools/bench/scripts/logitsProductAt.js ROOT
const ROOT = process.argv[2];
const req = (m) => require(require.resolve(m, { paths: [ROOT] }));
const tf = req('@tensorflow/tfjs-core');
const { selectBackend } = req('@farzi/core');
(async () => {
  await selectBackend('wasm-native');
  const a = tf.randomNormal([6400, 50]),
    b = tf.randomNormal([1683, 50]);
  const times = [];
  for (let r = 0; r < 41; r++) {
    const t0 = performance.now();
    const y = tf.matMul(a, b, false, true);
    times.push(performance.now() - t0);
    y.dispose();
  }
  times.sort((x, y) => x - y);
  console.log(ROOT, 'median', times[20].toFixed(2), 'ms');
})();
