import {
  checkWritableDirectory,
  funnelLines,
  loadSplit,
  selectBackend,
  smallDataRecipe,
  distillTools,
} from '@farzi/core';
import { requireString } from '../args';
import type { Command } from '../Command';
import { configOptions, loadExperiment } from '../experiment';
import { appServices } from '../plugins';
import { progressRenderer } from '../progress';
import { runDirFor } from './train';

export const distillCommand: Command = {
  name: 'distill',
  summary:
    'distil a small synthetic data set from the configured one with distill.method (e.g. Farzi Data); prints how to train on it',
  options: {
    ...configOptions,
    out: {
      type: 'string',
      short: 'o',
      value: '<run-dir>',
      description: 'run directory (default runs/distill-<config>-<time>)',
    },
    resume: { type: 'boolean', description: 'continue the interrupted distillation in --out' },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  examples: [
    'npx farzi distill --config configs/farzi-sasrec-ml100k.json',
    'npx farzi distill --config configs/farzi-sasrec-ml100k.json --set distill.outerSteps=20 --set distill.size=[10,50] --out runs/farzi-small',
    'npx farzi distill --config configs/farzi-sasrec-ml100k.json --out runs/farzi-small --resume',
    'npx farzi train --config configs/gru4rec-ml100k.json --set train.source=\'{"name":"farzi","path":"runs/farzi-small/farzi-data.safetensors"}\'',
  ],
  async run(values, io) {
    const file = requireString(values, 'config', this);
    const config = loadExperiment(
      file,
      values.set as string[] | undefined,
      values.plugin as string[] | undefined,
      values['data-dir'] as string | undefined,
    );
    const outDir = runDirFor(values, file, 'distill');
    checkWritableDirectory(outDir, '--out');
    const services = appServices();
    const backend = await selectBackend(config.backend);
    const onProgress = progressRenderer(io, { metricNames: [config.eval.metric] });
    onProgress({ type: 'message', label: 'run', text: `backend ${backend.name}` });
    const split = await loadSplit(config.data, services.adapters);
    if (split.kind === 'leave-one-out')
      for (const text of funnelLines(split.funnel))
        onProgress({ type: 'message', label: 'data', text });
    const method = config.distill?.method as string;
    const result = await services.distillers.get(method).distill({
      config,
      split,
      tools: distillTools(services),
      outDir,
      resume: Boolean(values.resume),
      onProgress,
      backend,
    });
    if (values.json) {
      const { dataFile, source, initialSource } = result;
      io.out(
        `${JSON.stringify({ dataFile, source, ...(initialSource ? { initialSource } : {}), ...result.summary }, null, 2)}\n`,
      );
      return 0;
    }
    const s = result.summary;
    const recipe = smallDataRecipe(s.budget.sequences);
    // A shell-quoted train.source (single quotes in it closed and reopened).
    const source = `'${JSON.stringify(result.source).replace(/'/g, "'\\''")}'`;
    io.out(
      [
        `data           ${result.dataFile} (distill.method ${s.method})`,
        `budget         [${s.budget.sequences}×${s.budget.length}] = ${s.budget.events} events (${s.budget.percentOfTraining.toFixed(2)}% of the real training events)`,
        `best           ${s.metric} ${s.bestMetric === null ? '-' : s.bestMetric.toFixed(4)} at outer step ${s.bestStep ?? '-'} (validation, fresh student)`,
        `time           ${s.seconds.toFixed(1)}s`,
        // The small-data recipe the quality benchmark measured (BENCHMARKS.md).
        `train on it    npx farzi train --config ${file} --set train.source=${source} ` +
          `--set train.batchSize=${recipe.batchSize} --set train.epochs=${recipe.epochs} --set train.learningRate=${recipe.learningRate} --set train.evalEvery=${recipe.evalEvery}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
