import { fullConfigSchema } from '@farzi/core';
import type { Command } from '../Command';
import { appServices } from '../plugins';

export const configSchemaCommand: Command = {
  name: 'config schema',
  summary: 'print the JSON Schema of experiment configs (core and every registered plugin)',
  options: {},
  examples: ['npx farzi config schema > configs/farzi.schema.json'],
  async run(_values, io) {
    io.out(`${JSON.stringify(fullConfigSchema(appServices()), null, 2)}\n`);
    return 0;
  },
};
