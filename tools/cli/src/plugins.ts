import * as fs from 'fs';
import * as path from 'path';
import { createContainer, resolveServices, Services, UserError } from '@farzi/core';
import { distillFarziModule } from '@farzi/distill-farzi';
import { distillTd3Module } from '@farzi/distill-td3';
import { dataDuckdbModule } from '@farzi/data-duckdb';
import { metricsModule } from '@farzi/metrics';
import { gru4recModule } from '@farzi/models-gru4rec';
import { sasrecModule } from '@farzi/models-sasrec';
import { transformerModule } from '@farzi/models-transformer';
import { ContainerModule } from 'inversify';

/** The plugins this app ships with; each is one Inversify module. */
export const pluginModules = [
  sasrecModule,
  gru4recModule,
  transformerModule,
  metricsModule,
  distillFarziModule,
  distillTd3Module,
  dataDuckdbModule,
];

/** Plugins loaded from outside the app (a config's `plugins`, `--plugin`): file → modules. */
const external = new Map<string, ContainerModule[]>();
let services: Services | undefined;

/** The application's registries, built from core, every shipped plugin and the loaded ones. */
export function appServices(): Services {
  return (services ??= resolveServices(
    createContainer([...pluginModules, ...[...external.values()].flat()]),
  ));
}

/** An Inversify ContainerModule, possibly from another copy of inversify (duck-typed). */
function isContainerModule(x: unknown): x is ContainerModule {
  return (
    x instanceof ContainerModule ||
    (typeof x === 'object' &&
      x !== null &&
      x.constructor?.name === 'ContainerModule' &&
      typeof (x as { load?: unknown }).load === 'function')
  );
}

/**
 * The file Node would load for a plugin (nothing is loaded): a package name resolved from `baseDir`
 * then the working directory, or a path relative to `baseDir`.
 */
export function resolvePlugin(spec: string, baseDir: string): string {
  const isPath = spec.startsWith('.') || path.isAbsolute(spec);
  try {
    return isPath
      ? require.resolve(path.resolve(baseDir, spec))
      : require.resolve(spec, { paths: [baseDir, process.cwd()] });
  } catch {
    const where = isPath
      ? path.resolve(baseDir, spec)
      : `node_modules from ${baseDir} and ${process.cwd()}`;
    throw new UserError(
      `plugins: cannot load "${spec}" (looked in ${where}). Install the package (npm install ${spec}) or give the path of a built plugin ` +
        '(a TypeScript package is built with `npx tsc -p <its folder>` first).',
    );
  }
}

/**
 * The plugins a file the user did not write names (a run directory's config.json, a config shown)
 * are code: loaded only when the user named the same file with --plugin, or passed --trust-plugins.
 */
export function checkTrustedPlugins(
  named: readonly string[],
  baseDir: string,
  trust: PluginTrust,
  where: string,
): void {
  if (trust.all) return;
  const given = new Set(loadPlugins(trust.plugins ?? [], process.cwd()));
  for (const spec of named) {
    let file: string;
    try {
      file = resolvePlugin(spec, baseDir);
    } catch {
      file = path.resolve(baseDir, spec);
    }
    if (!given.has(file)) {
      throw new UserError(
        `${where} names the plugin ${JSON.stringify(spec)} (${file}); loading it would run its code. ` +
          `If you trust it, pass --plugin ${file} (or --trust-plugins).`,
      );
    }
  }
}

/** Which plugins named by others may load: those the user named (`plugins`), or `all`. */
export interface PluginTrust {
  plugins?: readonly string[];
  all?: boolean;
}

/** The trust the command line gives (--plugin, --trust-plugins). */
export function pluginTrust(values: Record<string, unknown>): PluginTrust {
  return {
    plugins: (values.plugin as string[] | undefined) ?? [],
    all: values['trust-plugins'] === true,
  };
}

/** The flags of commands that open run directories or configs made by others. */
export const trustOptions = {
  plugin: {
    type: 'string' as const,
    multiple: true,
    value: '<package-or-path>',
    description: 'load this plugin (and trust it where a run directory names it)',
  },
  'trust-plugins': {
    type: 'boolean' as const,
    description: 'load every plugin the run directory (or config) names: they run code',
  },
};

/**
 * Loads plugin packages named in a config's `plugins` or by `--plugin`: a package name (resolved
 * from `baseDir`, the config's folder, then the working directory, as Node resolves modules) or a
 * path (relative to `baseDir`) of a built package or file. Every ContainerModule it exports is
 * registered. Returns the resolved files, which run directories record so that `evaluate` or
 * `recommend` load the same plugins.
 */
export function loadPlugins(specs: readonly string[], baseDir: string): string[] {
  const files: string[] = [];
  for (const spec of specs) {
    const file = resolvePlugin(spec, baseDir);
    files.push(file);
    if (external.has(file)) continue;
    let exported: Record<string, unknown>;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(file) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(
        `plugins: "${spec}" (${file}) failed to load: ${(error as Error).message}`,
      );
    }
    const modules = Object.values(exported).filter(isContainerModule);
    if (modules.length === 0) {
      throw new UserError(
        `plugins: "${spec}" (${file}) exports no plugin module; a plugin's entry point exports the module that ` +
          '`definePlugin` from @farzi/core makes (e.g. `export const myModelModule = definePlugin({ models: [myModel] })`).',
      );
    }
    external.set(file, modules);
    services = undefined;
  }
  return files;
}

/**
 * The loaded plugin that provides a model (not one of the shipped models): its file and package
 * name (from the package.json above the file; its folder's name when there is none).
 */
export function pluginOfModel(model: string): { file: string; name: string } | undefined {
  for (const [file, modules] of external) {
    if (!resolveServices(createContainer(modules)).models.names().includes(model)) continue;
    let dir = path.dirname(file);
    for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest)) {
        try {
          const name = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
          if (typeof name === 'string') return { file, name };
        } catch {
          break;
        }
      }
    }
    return { file, name: path.basename(path.dirname(file)) };
  }
  return undefined;
}
