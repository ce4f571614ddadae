import YAML from 'yaml';
import { requireString } from '../args';
import type { Command } from '../Command';
import { configOptions, loadExperiment } from '../experiment';
import { pluginTrust, trustOptions } from '../plugins';

export const configShowCommand: Command = {
  name: 'config show',
  summary: 'print the resolved config: the file, your --set overrides and every default',
  options: {
    ...configOptions,
    yaml: { type: 'boolean', description: 'print YAML instead of JSON' },
    'trust-plugins': trustOptions['trust-plugins'],
  },
  examples: ['npx farzi config show --config configs/sasrec-ml100k.json --set model.hiddenSize=64'],
  async run(values, io) {
    const config = loadExperiment(
      requireString(values, 'config', this),
      values.set as string[] | undefined,
      values.plugin as string[] | undefined,
      values['data-dir'] as string | undefined,
      pluginTrust(values),
    );
    io.out(values.yaml ? YAML.stringify(config) : `${JSON.stringify(config, null, 2)}\n`);
    return 0;
  },
};
