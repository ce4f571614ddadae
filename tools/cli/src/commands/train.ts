import { runTraining, UserError } from '@farzi/core';
import * as path from 'path';
import { requireString } from '../args';
import type { Command } from '../Command';
import { configOptions, loadExperiment } from '../experiment';
import { appServices } from '../plugins';
import { formatMetrics, progressRenderer } from '../progress';

/** The run directory of --out (required with --resume), or a new default one. */
export function runDirFor(
  values: Record<string, unknown>,
  configFile: string,
  kind: string,
): string {
  if (values.resume && !values.out) {
    throw new UserError('--resume needs --out <run-dir> naming the run to continue.');
  }
  return (values.out as string | undefined) ?? defaultRunDir(configFile, kind);
}

/** Default run directory: runs/<config name>-<timestamp>. */
export function defaultRunDir(configFile: string, kind: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return path.join(
    'runs',
    `${kind}-${path.basename(configFile).replace(/\.(json|ya?ml)$/i, '')}-${stamp}`,
  );
}

export const trainCommand: Command = {
  name: 'train',
  summary:
    'train a model on real data, Farzi Data or a sample; writes a run directory with metrics.json',
  options: {
    ...configOptions,
    out: {
      type: 'string',
      short: 'o',
      value: '<run-dir>',
      description: 'run directory (default runs/train-<config>-<time>)',
    },
    resume: { type: 'boolean', description: 'continue the interrupted run in --out' },
    json: { type: 'boolean', description: 'print the final report as JSON' },
  },
  examples: [
    'npx farzi train --config configs/sasrec-ml100k.json',
    'npx farzi train --config configs/sasrec-ml100k.json --set train.epochs=1 --out runs/quick',
    'npx farzi train --config configs/sasrec-ml100k.json --out runs/quick --resume',
    'npx farzi train --config configs/gru4rec-ml100k.json --set train.source.name=random-sample --set train.source.users=50 --set train.source.length=50',
  ],
  async run(values, io) {
    const file = requireString(values, 'config', this);
    const config = loadExperiment(
      file,
      values.set as string[] | undefined,
      values.plugin as string[] | undefined,
      values['data-dir'] as string | undefined,
    );
    const outDir = runDirFor(values, file, 'train');
    const report = await runTraining(config, appServices(), {
      outDir,
      resume: Boolean(values.resume),
      onProgress: progressRenderer(io, { metricNames: [config.eval.metric] }),
    });
    if (values.json) {
      io.out(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `run directory  ${report.runDir}`,
      `model          ${report.model.name} (${report.model.parameters.toLocaleString('en-US')} parameters) on ${report.backend}`,
      `trained on     ${report.source.description}`,
      `epochs         ${report.epochsRun}${report.stoppedEarly ? ' (stopped early)' : ''}, best epoch ${report.bestEpoch ?? '-'}, ${report.trainSeconds.toFixed(1)}s`,
    ];
    if (report.valid) lines.push(`protocol       ${report.valid.protocol}`);
    if (report.valid)
      lines.push(
        `valid          ${formatMetrics(report.valid.metrics, keyMetrics(report.valid.metrics))}`,
      );
    if (report.test)
      lines.push(
        `test           ${formatMetrics(report.test.metrics, keyMetrics(report.test.metrics))}`,
      );
    io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

function keyMetrics(metrics: Record<string, number>): string[] {
  const preferred = ['HR@10', 'NDCG@10', 'MRR', 'perplexity', 'cross-entropy'];
  return preferred.filter((k) => k in metrics);
}
