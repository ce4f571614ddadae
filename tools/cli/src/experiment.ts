import * as fs from 'fs';
import * as path from 'path';
import {
  applyOverrides,
  ExperimentConfig,
  readConfigFile,
  UserError,
  validateConfig,
} from '@farzi/core';
import type { OptionSpec } from './Command';
import { absoluteDataPath, locateNamedDataset } from './dataLookup';
import { appServices, checkTrustedPlugins, loadPlugins, PluginTrust } from './plugins';

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
  plugin: {
    type: 'string',
    multiple: true,
    value: '<package-or-path>',
    description: "load a plugin package (besides the config's plugins)",
  },
  'data-dir': {
    type: 'string',
    value: '<dir>',
    description: 'where data sets named by data.dataset are (before $FARZI_DATA_DIR and the cache)',
  },
};

/**
 * Reads, overrides and validates the experiment config named by --config: `data.dataset` is
 * located (--data-dir, $FARZI_DATA_DIR, the cache) and a relative `data.path` taken from the
 * config's folder. Plugins named in its
 * `plugins` (relative to the config's folder) and by `--plugin` (relative to the working directory)
 * are loaded first, and recorded as resolved files in the config.
 */
export function loadExperiment(
  file: string,
  overrides: string[] | undefined,
  plugins: string[] = [],
  dataDir?: string,
  trust?: PluginTrust,
): ExperimentConfig {
  // A relative data.path in the file is from the file's folder; one given with --set, from here.
  const fromFile = readConfigFile(file);
  absoluteDataPath(fromFile, path.dirname(path.resolve(file)));
  const raw = applyOverrides(fromFile, overrides ?? []);
  absoluteDataPath(raw, process.cwd());
  locateNamedDataset(raw, dataDir);
  const named = raw.plugins;
  if (named !== undefined && !(Array.isArray(named) && named.every((p) => typeof p === 'string'))) {
    throw new UserError(`${file}: plugins must be a list of package names or paths.`);
  }
  // A command that only shows a config (`trust` given) loads what it names only when trusted.
  if (trust && Array.isArray(named) && named.length > 0) {
    checkTrustedPlugins(named as string[], path.dirname(path.resolve(file)), trust, file);
  }
  const files = [
    ...loadPlugins((named as string[] | undefined) ?? [], path.dirname(path.resolve(file))),
    ...loadPlugins(plugins, process.cwd()),
  ];
  if (files.length) raw.plugins = [...new Set(files)];
  return validateConfig(raw, appServices(), file);
}

/**
 * Validates an experiment given as an object (a sweep's trial) the way `loadExperiment` validates a
 * file: the named data set located, its plugins loaded, the schema applied. Paths in it are absolute.
 */
export function checkExperiment(
  raw: Record<string, unknown>,
  label: string,
  dataDir?: string,
): ExperimentConfig {
  locateNamedDataset(raw, dataDir);
  const named = raw.plugins;
  if (named !== undefined && !(Array.isArray(named) && named.every((p) => typeof p === 'string'))) {
    throw new UserError(`${label}: plugins must be a list of package names or paths.`);
  }
  const files = loadPlugins((named as string[] | undefined) ?? [], process.cwd());
  if (files.length) raw.plugins = [...new Set(files)];
  return validateConfig(raw, appServices(), label);
}

/**
 * A training source that reads a file (`train.source.path`, e.g. distilled data) names one that
 * exists: a sweep finds a missing file before any trial runs, not once per trial.
 */
export function checkSourceFile(config: ExperimentConfig, label: string): ExperimentConfig {
  const file = (config.train.source as { path?: unknown }).path;
  if (typeof file === 'string' && file !== '' && !fs.existsSync(file)) {
    throw new UserError(
      `${label}: train.source.path ${file}: no such file (the ${config.train.source.name} source reads it).`,
    );
  }
  return config;
}
