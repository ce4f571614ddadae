const tf = require('@tensorflow/tfjs');
const { selectBackend, crossEntropy } = require('@farzi/core');
const { appServices } = require('@farzi/cli');
(async () => {
  const backend = process.argv[2]; const B = Number(process.argv[3] || 128);
  const sel = await selectBackend(backend); console.log(sel.name, sel.detail || '');
  const s = appServices();
  const model = s.models.get('sasrec').create({ hiddenSize: 50, blocks: 2, heads: 1, dropout: 0.2, loss: 'softmax', initStd: 0.02 }, { vocabSize: 1683, maxLength: 50 });
  const params = model.init(1);
  const ids = tf.tensor2d(Int32Array.from({length: B*51}, (_, i) => 1 + (i*7919)%1682), [B, 51], 'int32');
  const inp = tf.slice(ids, [0,0],[B,50]), tgt = tf.slice(ids,[0,1],[B,50]);
  const names = Object.keys(params);
  const step = () => tf.tidy(() => {
    const g = tf.grads((...ws) => { const p = {}; names.forEach((n,i)=>p[n]=ws[i]); return crossEntropy(model.apply(p, inp, {training: true, seed: 1}), tgt); });
    const out = g(names.map(n=>params[n])); out.forEach(t=>t.dataSync()); });
  const ts=[]; for (let r = 0; r < 5; r++) { const t0 = Date.now(); step(); ts.push(Date.now()-t0); }
  console.log('steps ms', ts.join(' '));
  const prof = await tf.profile(step);
  const by = {};
  for (const k of prof.kernels) { if (!tf.getKernel(k.name, tf.getBackend())) continue; by[k.name] = (by[k.name]||0) + k.kernelTimeMs; }
  console.log(Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,10).map(([k,v])=>k+' '+v.toFixed(0)).join(', '));
})();
