import * as fs from 'fs';
import * as path from 'path';
import {
  createModel,
  DataSplit,
  EvalConfig,
  ExperimentConfig,
  loadCheckpoint,
  RunDirectory,
  runTraining,
  Services,
  TrainingReport,
} from '@farzi/core';
import * as tf from '@tensorflow/tfjs-core';

/** Test metrics of a finished run's best checkpoint under several protocols. */
export async function evaluateProtocols(
  runDir: string,
  config: ExperimentConfig,
  split: DataSplit,
  services: Services,
  protocols: Partial<EvalConfig>[],
): Promise<Record<string, Record<string, number>>> {
  const model = createModel(config, split, services);
  const run = new RunDirectory(runDir);
  const checkpoint = run.loadBest() ?? run.loadLast();
  if (!checkpoint) throw new Error(`no checkpoint in ${runDir}`);
  const evaluator = services.evaluators.get(config.eval.evaluator);
  const out: Record<string, Record<string, number>> = {};
  for (const p of protocols) {
    const evalConfig = { ...config.eval, ...p };
    const r = await evaluator.evaluate({
      model,
      params: checkpoint.params,
      split,
      part: 'test',
      config: evalConfig,
      seed: config.seed,
    });
    out[evalConfig.protocol] = r.metrics;
  }
  tf.dispose(Object.values(checkpoint.params));
  return out;
}

/** Trains one configuration (or reuses a finished run directory) and returns its report. */
export async function trainOrReuse(
  config: ExperimentConfig,
  split: DataSplit,
  services: Services,
  outDir: string,
  log: (s: string) => void,
): Promise<TrainingReport> {
  const metrics = path.join(outDir, 'metrics.json');
  if (fs.existsSync(metrics)) {
    log(`reusing ${outDir}`);
    return JSON.parse(fs.readFileSync(metrics, 'utf8')) as TrainingReport;
  }
  if (fs.existsSync(outDir)) fs.rmSync(outDir, { recursive: true, force: true });
  return runTraining(config, services, {
    outDir,
    split,
    onProgress: (e) => {
      if (e.type === 'epoch')
        log(
          `[${e.label}] epoch ${e.epoch} loss ${e.loss.toFixed(4)} ${e.metrics ? JSON.stringify(e.metrics) : ''}`,
        );
    },
  });
}

export { loadCheckpoint };
