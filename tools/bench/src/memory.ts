import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs';
import { appServices } from '@farzi/cli';
import { selectBackend, writeFileAtomic, writeJsonAtomic } from '@farzi/core';
import { farziMetaGradient, toList, unrolledMetaGradient } from '@farzi/distill-farzi';
import { INNER_ADAM, syntheticRealBatch } from './synthetic';

/*
 * Memory of the Farzi meta-gradient against the number of inner steps T: reverse-mode Adam (keeps
 * only the final state) versus unrolled autograd through the same T steps (keeps every step on the
 * tape). Peak tf.memory().numBytes and process RSS, and wall time, for T in {5, 10, 20, 50, 100}.
 * Usage: node tools/bench/dist/memory.js [--out benchmarks/memory] [--steps 5,10,20,50,100]
 */
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'benchmarks/memory' },
    steps: { type: 'string', default: '5,10,20,50,100' },
  },
});

async function main(): Promise<void> {
  const backend = await selectBackend('wasm');
  const services = appServices();
  const V = 301;
  const L = 20;
  const model = services.models
    .get('sasrec')
    .create(
      { hiddenSize: 16, blocks: 1, heads: 1, dropout: 0, loss: 'softmax', initStd: 0.1 },
      { vocabSize: V, maxLength: L },
    );
  const { names, values: w0 } = toList(model.init(1));
  const latent = tf.randomNormal([10, L + 1, 8], 0, 0.5, 'float32', 2);
  const decoder = tf.randomNormal([8, V], 0, 0.5, 'float32', 3);
  const real = syntheticRealBatch(32, L, V);
  const hyper = INNER_ADAM;
  const data = { latent, decoder, temperature: 1 };
  const rows: Record<string, unknown>[] = [];
  for (const T of (values.steps as string).split(',').map(Number)) {
    for (const method of ['reverse-mode Adam', 'unrolled autograd'] as const) {
      const baseBytes = tf.memory().numBytes;
      let peak = 0;
      let peakRss = 0;
      const probe = () => {
        peak = Math.max(peak, tf.memory().numBytes - baseBytes);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      };
      const t0 = Date.now();
      let grads: tf.Tensor[];
      if (method === 'reverse-mode Adam') {
        const r = farziMetaGradient(model, names, w0, data, real, {
          steps: T,
          hyper,
          method: 'exact',
          checkpointEvery: 0,
          onStep: probe,
        });
        grads = [r.latent, r.decoder];
      } else {
        const r = unrolledMetaGradient(model, names, w0, data, real, T, hyper, probe);
        grads = [r.latent, r.decoder];
      }
      const seconds = (Date.now() - t0) / 1000;
      tf.dispose(grads);
      rows.push({
        T,
        method,
        peakTensorMiB: peak / 2 ** 20,
        peakRssMiB: peakRss / 2 ** 20,
        seconds,
      });
      process.stderr.write(
        `T=${T} ${method}: peak tensors ${(peak / 2 ** 20).toFixed(1)} MiB, RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB, ${seconds.toFixed(1)} s\n`,
      );
    }
  }
  const out = values.out as string;
  fs.mkdirSync(out, { recursive: true });
  writeJsonAtomic(path.join(out, 'results.json'), {
    backend: backend.name,
    model: 'sasrec d=16, 1 block, |V|=301, L=20; Farzi [10×21], d=8; real batch 32',
    command: process.argv.join(' '),
    rows,
  });
  const md = [
    '| T | method | peak tensor memory (MiB) | peak RSS (MiB) | time (s) |',
    '|---|---|---|---|---|',
  ];
  for (const r of rows)
    md.push(
      `| ${r.T} | ${r.method} | ${(r.peakTensorMiB as number).toFixed(1)} | ${(r.peakRssMiB as number).toFixed(0)} | ${(r.seconds as number).toFixed(1)} |`,
    );
  writeFileAtomic(path.join(out, 'results.md'), `${md.join('\n')}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
