import { UserError } from '@farzi/core';
import { requireString } from '../args';
import type { Command } from '../Command';
import { formatMetrics } from '../progress';
import { appServices, pluginTrust, trustOptions } from '../plugins';
import { loadRun } from '../runs';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary:
    "evaluate a run's best checkpoint on the test (or validation) split under a stated protocol",
  options: {
    run: { type: 'string', value: '<run-dir>', description: 'a training run directory' },
    ...trustOptions,
    split: {
      type: 'string',
      value: 'test|valid',
      description: 'which held-out part (default test)',
    },
    protocol: {
      type: 'string',
      value: 'full|sampled',
      description: "full ranking (history masked) or sampled negatives (default: the run's config)",
    },
    negatives: {
      type: 'string',
      value: '<n>',
      description: 'negatives for the sampled protocol (default 100)',
    },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  examples: [
    'npx farzi evaluate --run runs/quick',
    'npx farzi evaluate --run runs/quick --protocol sampled --json',
  ],
  async run(values, io) {
    const part = (values.split as string | undefined) ?? 'test';
    if (part !== 'test' && part !== 'valid')
      throw new UserError(`--split: expected test or valid (got "${part}").`);
    const protocol = values.protocol as string | undefined;
    if (protocol !== undefined && protocol !== 'full' && protocol !== 'sampled')
      throw new UserError(`--protocol: expected full or sampled (got "${protocol}").`);
    const negatives = values.negatives === undefined ? undefined : Number(values.negatives);
    if (negatives !== undefined && !(Number.isInteger(negatives) && negatives > 0))
      throw new UserError(`--negatives: expected a positive integer (got "${values.negatives}").`);
    const run = await loadRun(requireString(values, 'run', this), pluginTrust(values));
    try {
      const config = {
        ...run.config.eval,
        ...(protocol ? { protocol: protocol as 'full' | 'sampled' } : {}),
        ...(negatives ? { negatives } : {}),
      };
      const evaluator = appServices().evaluators.get(config.evaluator);
      const result = await evaluator.evaluate({
        model: run.model,
        params: run.params,
        split: run.split,
        part,
        config,
        seed: run.config.seed,
      });
      if (values.json) io.out(`${JSON.stringify({ run: run.dir, ...result }, null, 2)}\n`);
      else
        io.out(
          `run       ${run.dir}\nsplit     ${part} (${result.count} examples)\nprotocol  ${result.protocol}\nmetrics   ${formatMetrics(result.metrics)}\n`,
        );
      return 0;
    } finally {
      run.dispose();
    }
  },
};
