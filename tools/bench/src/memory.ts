import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import { appServices } from '@farzi/cli';
import { selectBackend, writeFileAtomic, writeJsonAtomic } from '@farzi/core';
import {
  farziMetaGradient,
  unrolledFarziMetaGradient as unrolledMetaGradient,
} from '@farzi/distill-farzi';
import { toList } from '@farzi/distill-kit';
import { INNER_ADAM, syntheticRealBatch } from './synthetic';

/*
 * Memory of the Farzi meta-gradient against the number of inner steps T: reverse-mode Adam (keeps
 * only the final state) versus unrolled autograd through the same T steps (keeps every step on the
 * tape). Peak tf.memory().numBytes (sampled after every inner and reverse step) and process RSS,
 * and wall time, for T in {5, 10, 20, 50, 100}. `--catalogue beauty` runs the large-catalogue case
 * (SASRec d 64, |V| 12,102 as Amazon Beauty, Farzi [50×50] in automatic sequence chunks, on
 * wasm-native) with reverse mode only: unrolled autograd at that size does not fit in wasm memory.
 * Usage: node tools/bench/dist/memory.js [--catalogue small|beauty] [--out dir] [--steps 5,10,…]
 */
const { values } = parseArgs({
  options: {
    catalogue: { type: 'string', default: 'small' },
    out: { type: 'string' },
    steps: { type: 'string' },
  },
});

interface MemoryCase {
  readonly backend: 'wasm' | 'wasm-native';
  readonly vocab: number;
  readonly length: number;
  readonly hidden: number;
  readonly heads: number;
  readonly blocks: number;
  readonly mu: number;
  readonly latentDim: number;
  readonly realBatch: number;
  readonly steps: string;
  readonly out: string;
  readonly unrolled: boolean;
}

const CASES: Record<string, MemoryCase> = {
  small: {
    ...{ backend: 'wasm', vocab: 301, length: 20, hidden: 16, heads: 1, blocks: 1 },
    ...{ mu: 10, latentDim: 8, realBatch: 32, steps: '5,10,20,50,100' },
    ...{ out: 'benchmarks/memory', unrolled: true },
  },
  beauty: {
    ...{ backend: 'wasm-native', vocab: 12102, length: 50, hidden: 64, heads: 2, blocks: 2 },
    ...{ mu: 50, latentDim: 16, realBatch: 128, steps: '5,10,20' },
    ...{ out: 'benchmarks/memory-beauty', unrolled: false },
  },
};

async function main(): Promise<void> {
  const c = CASES[values.catalogue as string];
  if (!c) {
    process.stderr.write(`unknown --catalogue "${values.catalogue}"; expected small or beauty\n`);
    process.exit(2);
  }
  const backend = await selectBackend(c.backend);
  const services = appServices();
  const V = c.vocab;
  const L = c.length;
  const model = services.models.get('sasrec').create(
    {
      hiddenSize: c.hidden,
      blocks: c.blocks,
      heads: c.heads,
      dropout: 0,
      loss: 'softmax',
      initStd: 0.1,
    },
    { vocabSize: V, maxLength: L },
  );
  const { names, values: w0 } = toList(model.init(1));
  const latent = tf.randomNormal([c.mu, L + 1, c.latentDim], 0, 0.5, 'float32', 2);
  const decoder = tf.randomNormal([c.latentDim, V], 0, 0.5, 'float32', 3);
  const real = syntheticRealBatch(c.realBatch, L, V);
  const hyper = INNER_ADAM;
  const data = { latent, decoder, temperature: 1 };
  const rows: Record<string, unknown>[] = [];
  const methods = c.unrolled
    ? (['reverse-mode Adam', 'unrolled autograd'] as const)
    : (['reverse-mode Adam'] as const);
  for (const T of ((values.steps as string | undefined) ?? c.steps).split(',').map(Number)) {
    for (const method of methods) {
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
  writeResults((values.out as string | undefined) ?? c.out, backend.name, c, rows);
}

/** results.json (with the command) and results.md of the memory benchmark. */
function writeResults(
  out: string,
  backend: string,
  c: (typeof CASES)[string],
  rows: Record<string, unknown>[],
): void {
  const V = c.vocab;
  const L = c.length;
  fs.mkdirSync(out, { recursive: true });
  writeJsonAtomic(path.join(out, 'results.json'), {
    backend,
    model:
      `sasrec d=${c.hidden}, ${c.blocks} block(s), |V|=${V}, L=${L}; ` +
      `Farzi [${c.mu}×${L + 1}], d=${c.latentDim}; real batch ${c.realBatch}`,
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
