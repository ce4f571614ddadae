import { checkWritableDirectory, loadSplit, selectBackend } from '@farzi/core';
import { requireString } from '../args';
import type { Command } from '../Command';
import { configOptions, loadExperiment } from '../experiment';
import { appServices } from '../plugins';
import { progressRenderer } from '../progress';
import { runDirFor } from './train';

export const distillCommand: Command = {
  name: 'distill',
  summary:
    'distil Farzi Data from the configured data set; writes <run-dir>/farzi-data.safetensors',
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
    const result = await services.distillers.get('farzi').distill({
      config,
      split,
      services,
      outDir,
      resume: Boolean(values.resume),
      onProgress,
      backend,
    });
    if (values.json) {
      io.out(`${JSON.stringify({ dataFile: result.dataFile, ...result.summary }, null, 2)}\n`);
      return 0;
    }
    const s = result.summary as {
      budget: { events: number; percentOfTraining: number; sequences: number; length: number };
      bestStep: number | null;
      bestMetric: number | null;
      metric: string;
      seconds: number;
    };
    io.out(
      [
        `Farzi Data     ${result.dataFile}`,
        `budget         [${s.budget.sequences}×${s.budget.length}] = ${s.budget.events} events (${s.budget.percentOfTraining.toFixed(2)}% of the real training events)`,
        `best           ${s.metric} ${s.bestMetric === null ? '-' : s.bestMetric.toFixed(4)} at outer step ${s.bestStep ?? '-'} (validation, fresh student)`,
        `time           ${s.seconds.toFixed(1)}s`,
        // The small-data recipe the quality benchmark measured (BENCHMARKS.md): all μ sequences per
        // step, up to 300 steps at lr 0.003, validated every 20 with early stopping.
        `train on it    npx farzi train --config ${file} --set train.source='{"name":"farzi","path":"${result.dataFile}"}' ` +
          `--set train.batchSize=${s.budget.sequences} --set train.epochs=300 --set train.learningRate=0.003 --set train.evalEvery=20`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
