const tf = require('@tensorflow/tfjs');
const { selectBackend, crossEntropy } = require('@farzi/core');
const { appServices } = require('@farzi/cli');
(async () => {
  const backend = process.argv[2] || 'cpu';
  const B = Number(process.argv[3] || 8);
  await selectBackend(backend);
  const s = appServices();
  const model = s.models.get('sasrec').create({ hiddenSize: 50, blocks: 2, heads: 1, dropout: 0.2, loss: 'softmax', initStd: 0.02 }, { vocabSize: 1683, maxLength: 50 });
  const params = model.init(1);
  const ids = tf.tensor2d(Int32Array.from({length: B*51}, (_, i) => 1 + (i*7919)%1682), [B, 51], 'int32');
  const inp = tf.slice(ids, [0,0],[B,50]), tgt = tf.slice(ids,[0,1],[B,50]);
  const names = Object.keys(params);
  const step = () => tf.tidy(() => {
    const g = tf.grads((...ws) => { const p = {}; names.forEach((n,i)=>p[n]=ws[i]); return crossEntropy(model.apply(p, inp, {training: true, seed: 1}), tgt); });
    const out = g(names.map(n=>params[n])); out.forEach(t=>t.dataSync()); });
  for (let r = 0; r < 2; r++) { const t0 = Date.now(); step(); console.log('step', Date.now()-t0, 'ms'); }
  const prof = await tf.profile(step);
  const by = {};
  for (const k of prof.kernels) { by[k.name] = (by[k.name]||0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0); }
  console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,12));
})();
