// What a Farzi Data file teaches, position by position: node tools/bench/scripts/farziDataStats.js
// <farzi-data.safetensors>... Prints per file: the mean entropy of its positions' distributions
// (nats), the entropy of their mean, their difference (how much the positions differ from each
// other: 0 = every position says the same, e.g. only popularity), the mean top-1 mass, and the
// distinct top-1 items. Run from the repository root after `npm run build`.
const path = require('path');
const ROOT = path.resolve(__dirname, '../../..');
const req = (m) => require(require.resolve(m, { paths: [ROOT] }));
const tf = req('@tensorflow/tfjs-core');
const { loadFarziData, decodeFarzi } = req('@farzi/distill-farzi');
for (const file of process.argv.slice(2)) {
  const d = loadFarziData(file);
  const x = decodeFarzi(d.latent, d.decoder, d.temperature, d.support ?? 0);
  const [mu, xi, v] = x.shape;
  const flat = tf.reshape(x, [mu * xi, v]);
  const ent = (p) => tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))), -1));
  const meanEntropy = tf.mean(ent(flat)).dataSync()[0];
  const entropyOfMean = ent(tf.mean(flat, 0)).dataSync()[0];
  const top1 = tf.mean(tf.max(flat, -1)).dataSync()[0];
  const argmax = new Set(tf.argMax(flat, -1).dataSync()).size;
  console.log(
    `${file}: mean entropy ${meanEntropy.toFixed(3)}, entropy of the mean ${entropyOfMean.toFixed(3)}, difference ${(entropyOfMean - meanEntropy).toFixed(3)} nats, top-1 mass ${top1.toFixed(4)}, distinct top-1 items ${argmax} of ${mu * xi}`,
  );
}
