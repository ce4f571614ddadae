import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { appServices, loadExperiment } from '@farzi/cli';
import {
  BackendName,
  isFarziError,
  loadSplit,
  runTraining,
  selectBackend,
  distillTools,
} from '@farzi/core';

/*
 * GPU smoke test, for machines that have one: selects `tensorflow-gpu` (which requires TensorFlow to
 * report a GPU device), prints the device, then runs one SASRec epoch on MovieLens-100K and one
 * Farzi outer step ([10×50], T 10) and prints their times.
 * Usage: FARZI_DATA_DIR=<data dir> node tools/bench/dist/gpuSmoke.js [--backend <name>]
 *        (npm run gpu-smoke; --backend runs the same on another backend, e.g. to try the script)
 */
async function main(): Promise<number> {
  // --backend <name> runs the same checks on another backend (to try the script without a GPU).
  const at = process.argv.indexOf('--backend');
  const requested = (at > 0 ? process.argv[at + 1] : 'tensorflow-gpu') as BackendName;
  const backend = await selectBackend(requested);
  const binding = (tf.backend() as unknown as { binding?: Record<string, unknown> }).binding ?? {};
  process.stdout.write(
    `backend ${backend.name} (TensorFlow ${String(binding.TF_Version ?? '?')}, GPU device in use: ${String(
      typeof binding.isUsingGpuDevice === 'function'
        ? (binding.isUsingGpuDevice as () => boolean)()
        : '?',
    )})\n`,
  );
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-gpu-smoke-'));
  try {
    const sets = [
      'backend="tensorflow-gpu"',
      'data.maxLength=50',
      'train.epochs=1',
      'train.evalEvery=0',
    ];
    const config = loadExperiment('configs/sasrec-ml100k.json', sets);
    const services = appServices();
    const split = await loadSplit(config.data, services.adapters);
    const t0 = Date.now();
    const report = await runTraining(config, services, {
      outDir: path.join(out, 'train'),
      split,
      backend,
    });
    process.stdout.write(
      `one SASRec epoch: ${((Date.now() - t0) / 1000).toFixed(1)} s (test NDCG@10 ${report.test?.metrics['NDCG@10']?.toFixed(4)})\n`,
    );
    const distill = loadExperiment('configs/farzi-sasrec-ml100k.json', [
      ...sets,
      'distill.size=[10,50]',
      'distill.init="random"',
      'distill.innerInit="random"',
      'distill.outerSteps=1',
      'distill.evalEvery=0',
    ]);
    const t1 = Date.now();
    await services.distillers.get(distill.distill?.method as string).distill({
      config: distill,
      split,
      tools: distillTools(services),
      outDir: path.join(out, 'distill'),
      resume: false,
      backend,
    });
    process.stdout.write(
      `one Farzi outer step [10×50], T 10: ${((Date.now() - t1) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(
      `gpu-smoke: ${isFarziError(error) ? error.message : (error as Error).stack}\n`,
    );
    process.exit(isFarziError(error) ? error.exitCode : 1);
  },
);
