import { createHash } from 'crypto';
import * as path from 'path';
import Ajv, { ErrorObject } from 'ajv';
import {
  applyOverrides,
  ExperimentConfig,
  isFarziError,
  readConfigFile,
  toDottedPath,
  UserError,
} from '@farzi/core';

/** A sweep file: a base config and the settings to vary. */
export interface SweepSpec {
  /** The sweep file itself (absolute). */
  file: string;
  /** The base experiment config (absolute). */
  base: string;
  /** The validation metric that picks the best trial (default: the base's eval.metric). */
  metric?: string;
  /** Runs of a trial before it counts as failed (a worker that dies, a crash). */
  attempts: number;
  /** First retry delay in ms (doubling). */
  backoff: number;
  /** Settings every trial gets. */
  set: Record<string, unknown>;
  /** Cartesian product: dotted key → values. */
  grid: Record<string, unknown[]>;
  /** Explicit override sets, each combined with every grid point. */
  list: Record<string, unknown>[];
}

/** One training of the sweep. */
export interface Trial {
  /** Stable id: a hash of the trial's validated config (skips repeat work across re-runs). */
  id: string;
  /** The swept settings of this trial, as dotted keys (what the report tabulates). */
  settings: Record<string, unknown>;
  /** The experiment config the trial trains (raw: defaults are filled where it runs). */
  config: Record<string, unknown>;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['base'],
  properties: {
    base: {
      type: 'string',
      minLength: 1,
      description: 'the base experiment config (relative to the sweep file)',
    },
    metric: {
      type: 'string',
      minLength: 1,
      description: 'validation metric that picks the best trial',
    },
    attempts: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    backoff: {
      type: 'integer',
      minimum: 0,
      default: 2000,
      description: 'first retry delay (ms), doubling',
    },
    set: { type: 'object', default: {}, description: 'settings every trial gets (dotted keys)' },
    grid: {
      type: 'object',
      default: {},
      additionalProperties: { type: 'array', minItems: 1 },
      description: 'dotted key → list of values; every combination is a trial',
    },
    list: {
      type: 'array',
      default: [],
      items: { type: 'object', minProperties: 1 },
      description: 'override sets (dotted keys), each combined with every grid point',
    },
  },
} as const;

const validate = new Ajv({ useDefaults: true, allErrors: true }).compile(schema);

function describeProblem(e: ErrorObject, raw: Record<string, unknown>): string {
  const where = toDottedPath(e.instancePath) || '(top level)';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return `${e.instancePath ? `${where}.` : ''}${key}: not a sweep setting (expected ${Object.keys(schema.properties).join(', ')})`;
  }
  const got = e.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (o, k) =>
        (o as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')],
      raw,
    );
  return `${where}: ${e.message} (got ${JSON.stringify(got)})`;
}

/** Reads and checks a sweep file (JSON or YAML); errors name the file and the path in it. */
export function readSweepFile(file: string): SweepSpec {
  const raw = readConfigFile(file);
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => describeProblem(e, raw));
    throw new UserError(`${file}: not a valid sweep file:\n  - ${problems.join('\n  - ')}`);
  }
  const spec = raw as unknown as Omit<SweepSpec, 'file'>;
  const dir = path.dirname(path.resolve(file));
  if (Object.keys(spec.grid).length === 0 && spec.list.length === 0) {
    throw new UserError(`${file}: neither grid nor list names a setting to sweep.`);
  }
  return { ...spec, file: path.resolve(file), base: path.resolve(dir, spec.base) };
}

/** How many settings `expandSettings` makes, counted without making them. */
export function countTrials(spec: SweepSpec): number {
  const points = Object.values(spec.grid).reduce((n, values) => n * values.length, 1);
  return points * Math.max(1, spec.list.length);
}

/**
 * The files and plugins a sweep's validated trials use: the folders of their data and training
 * sources, and their plugins — what the coordinator's own local workers may read and load.
 */
export class TrialFiles {
  readonly folders = new Set<string>();
  readonly plugins = new Set<string>();

  add(config: ExperimentConfig): void {
    const source = config.train.source as { path?: unknown } | undefined;
    for (const p of [config.data.path, source?.path]) {
      if (typeof p === 'string' && p !== '') this.folders.add(path.dirname(path.resolve(p)));
    }
    const plugins = config.plugins;
    if (Array.isArray(plugins)) for (const p of plugins) this.plugins.add(String(p));
  }
}

/** Every combination of the grid, times every list entry, over the common settings. */
export function expandSettings(spec: SweepSpec): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(spec.grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  const entries = spec.list.length > 0 ? spec.list : [{}];
  return entries.flatMap((entry) => points.map((p) => ({ ...entry, ...p })));
}

/** Where a config names files: `data.path`, `train.source.path`, `plugins` (paths, not packages). */
function pathSlots(raw: Record<string, unknown>): { get(): unknown; set(v: unknown): void }[] {
  const section = (o: unknown, key: string): Record<string, unknown> | undefined => {
    const v = (o as Record<string, unknown> | undefined)?.[key];
    return v && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  };
  const slot = (o: Record<string, unknown> | undefined, key: string) => ({
    get: () => o?.[key],
    set: (v: unknown) => {
      if (o) o[key] = v;
    },
  });
  return [
    slot(section(raw, 'data'), 'path'),
    slot(section(section(raw, 'train'), 'source'), 'path'),
    slot(raw, 'plugins'),
  ];
}

/** Makes the relative paths of a raw config absolute, from `baseDir`. */
function absolutePaths(raw: Record<string, unknown>, baseDir: string): void {
  for (const slot of pathSlots(raw)) {
    const value = slot.get();
    if (typeof value === 'string') slot.set(path.resolve(baseDir, value));
    if (Array.isArray(value)) {
      slot.set(
        value.map((p) =>
          typeof p === 'string' && (p.startsWith('.') || path.isAbsolute(p))
            ? path.resolve(baseDir, p)
            : p,
        ),
      );
    }
  }
}

function setOverrides(settings: Record<string, unknown>): string[] {
  return Object.entries(settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/** JSON with sorted keys, so that equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The trials of a sweep, each validated as `farzi train` would validate it (`check` is the app's
 * loader: data located, plugins loaded, schema applied). A trial whose config is wrong stops the
 * sweep before any work, naming the trial's settings.
 */
export function planTrials(
  spec: SweepSpec,
  check: (raw: Record<string, unknown>, label: string) => ExperimentConfig,
): Trial[] {
  const base = readConfigFile(spec.base);
  absolutePaths(base, path.dirname(spec.base));
  const seen = new Map<string, Trial>();
  for (const settings of expandSettings(spec)) {
    const all = { ...spec.set, ...settings };
    const config = applyOverrides(base, setOverrides(all));
    // Paths given in the sweep file are from the sweep file's folder (the base's, from its own).
    const fromSweep = applyOverrides({}, setOverrides(all));
    absolutePaths(fromSweep, path.dirname(spec.file));
    pathSlots(fromSweep).forEach((slot, i) => {
      if (slot.get() !== undefined) pathSlots(config)[i].set(slot.get());
    });
    delete config.$schema;
    const label = `${spec.file}: trial ${describeSettings(settings)}`;
    let resolved: ExperimentConfig;
    try {
      resolved = check(structuredClone(config), label);
    } catch (error) {
      if (!isFarziError(error) || (error as Error).message.startsWith(label)) throw error;
      throw new UserError(`${label}: ${(error as Error).message}`);
    }
    const id = trialId(resolved);
    if (!seen.has(id)) seen.set(id, { id, settings, config });
  }
  return [...seen.values()];
}

/** The id: a hash of the validated config, without the machine-specific path of a named data set. */
export function trialId(config: ExperimentConfig): string {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const data = copy.data as Record<string, unknown>;
  if (typeof data.dataset === 'string') delete data.path;
  delete copy.name;
  return createHash('sha256').update(canonicalJson(copy)).digest('hex').slice(0, 12);
}

/** A setting's value as a short label (sections such as a model or a source by their name). */
export function valueLabel(value: unknown): string {
  if (value === undefined) return '(base)';
  if (value && typeof value === 'object' && 'name' in (value as object)) {
    const { name, ...rest } = value as Record<string, unknown>;
    const extra = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? path.basename(v) : JSON.stringify(v)}`)
      .join(' ');
    return extra ? `${String(name)} (${extra})` : String(name);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `model.name=gru4rec, seed=2` */
export function describeSettings(settings: Record<string, unknown>): string {
  const parts = Object.entries(settings).map(([k, v]) => `${k}=${valueLabel(v)}`);
  return parts.join(', ') || '(base)';
}
