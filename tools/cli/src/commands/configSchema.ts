import { fullConfigSchema } from '@farzi/core';
import type { Command } from '../Command';
import { appServices, loadPlugins } from '../plugins';

export const configSchemaCommand: Command = {
  name: 'config schema',
  summary:
    'print the JSON Schema of experiment configs (core, every shipped plugin and the ones given)',
  options: {
    plugin: {
      type: 'string',
      multiple: true,
      value: '<package-or-path>',
      description: "also include a plugin's models, sources and distillers",
    },
  },
  examples: [
    'npx farzi config schema > configs/farzi.schema.json',
    'npx farzi config schema --plugin ./plugins/models-narm > narm.schema.json',
  ],
  async run(values, io) {
    loadPlugins((values.plugin as string[] | undefined) ?? [], process.cwd());
    io.out(`${JSON.stringify(fullConfigSchema(appServices()), null, 2)}\n`);
    return 0;
  },
};
