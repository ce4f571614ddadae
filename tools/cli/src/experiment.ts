import { applyOverrides, ExperimentConfig, readConfigFile, validateConfig } from '@farzi/core';
import type { OptionSpec } from './Command';
import { appServices } from './plugins';

/** The --config/--set flags every experiment command takes. */
export const configOptions: Record<string, OptionSpec> = {
  config: {
    type: 'string',
    short: 'c',
    value: '<file>',
    description: 'experiment config (JSON or YAML)',
  },
  set: {
    type: 'string',
    multiple: true,
    value: '<key=value>',
    description: 'override a config value, e.g. train.epochs=1',
  },
};

/** Reads, overrides and validates the experiment config named by --config. */
export function loadExperiment(file: string, overrides: string[] | undefined): ExperimentConfig {
  const raw = applyOverrides(readConfigFile(file), overrides ?? []);
  return validateConfig(raw, appServices(), file);
}
