import Ajv, { ValidateFunction } from 'ajv';
import type { DataAdapter } from '../data/DataAdapter';
import { KNOWN_DATASETS, knownDataset } from '../data/knownDatasets';
import { FarziError, UserError } from '../errors/FarziError';
import type { Registry } from '../di/Registry';
import type { Distiller } from '../distill/Distiller';
import type { Evaluator } from '../eval/Evaluator';
import type { ModelFactory } from '../model/Model';
import type { TrainingSourceFactory } from '../train/TrainingSource';
import type { ConfigSection } from './ConfigSection';
import { CORE_REQUIRED, coreSections } from './coreSchema';
import type { DataConfig, EvalConfig, ExperimentConfig } from './ExperimentConfig';
import { formatAjvErrors } from './formatErrors';
import type { JsonSchema } from './JsonSchema';
import { forbiddenKeyPath } from './readConfigFile';

/** What validation needs to know about the plugins that are loaded. */
export interface ConfigContext {
  readonly models: Registry<ModelFactory>;
  readonly adapters: Registry<DataAdapter>;
  readonly sources: Registry<TrainingSourceFactory>;
  readonly evaluators?: Registry<Evaluator>;
  readonly distillers?: Registry<Distiller>;
  readonly sections: readonly ConfigSection[];
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
  return fn;
}

/** The JSON Schema of the whole config with the loaded plugins' sections (no per-name parts). */
export function topLevelSchema(
  sections: readonly ConfigSection[],
  distillers?: Registry<Distiller>,
): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...coreSections };
  if (distillers && distillers.names().length > 0) {
    // The section's settings are the chosen method's (checked against its schema by name).
    // No default: a config without a distill section distils nothing.
    properties.distill = {
      type: 'object',
      description: `data distillation: distill.method (${distillers.names().join(', ')}) and that method's settings`,
    };
  }
  for (const s of sections) properties[s.name] = { description: s.description, ...s.schema };
  // Editors read `$schema` (shipped configs point it at configs/farzi.schema.json).
  properties.$schema = { type: 'string', description: 'the JSON Schema this config follows' };
  properties.plugins = {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    description:
      'plugin packages to load besides the shipped ones: package names or paths (relative to this file)',
  };
  return { type: 'object', additionalProperties: false, required: CORE_REQUIRED, properties };
}

const topLevels = new WeakMap<readonly ConfigSection[], Map<unknown, JsonSchema>>();
/** The top-level schema, compiled once per set of sections and distillers. */
function cachedTopLevel(context: ConfigContext): JsonSchema {
  let byDistillers = topLevels.get(context.sections);
  if (!byDistillers) topLevels.set(context.sections, (byDistillers = new Map()));
  let schema = byDistillers.get(context.distillers);
  if (!schema)
    byDistillers.set(
      context.distillers,
      (schema = topLevelSchema(context.sections, context.distillers)),
    );
  return schema;
}

/**
 * `distill`: `method` (always written) chooses the distiller and the rest of
 * the section is checked against that distiller's schema, defaults filled in.
 */
function checkDistill(
  config: Record<string, unknown>,
  context: ConfigContext,
  check: (value: unknown, schema: JsonSchema, prefix: string) => void,
  lookup: <T extends { name: string }>(registry: Registry<T>, name: unknown) => T | undefined,
  problems: string[],
): void {
  const distill = config.distill;
  const distillers = context.distillers;
  if (!isObject(distill) || !distillers || distillers.names().length === 0) return;
  // Always written out: a config must not change meaning when another distiller is registered.
  if (distill.method === undefined) {
    problems.push(
      `distill.method: not set; name the distiller, one of ${distillers.names().join(', ')} (e.g. "method": "${distillers.names()[0]}")`,
    );
    return;
  }
  const distiller = lookup(distillers, distill.method);
  if (distiller) check(distill, cachedNamedPart(distiller.schema, 'method'), 'distill');
}

/** Schema of a named part (model hyper-parameters, data options, training source) plus its `name`. */
function namedPartSchema(schema: JsonSchema, nameKey?: string): JsonSchema {
  const properties = { ...(schema.properties ?? {}) };
  if (nameKey) properties[nameKey] = { type: 'string' };
  return { ...schema, type: 'object', additionalProperties: false, properties };
}

const namedSchemas = new WeakMap<JsonSchema, JsonSchema>();
function cachedNamedPart(schema: JsonSchema, nameKey?: string): JsonSchema {
  const key = schema;
  let out = namedSchemas.get(key);
  if (!out) namedSchemas.set(key, (out = namedPartSchema(schema, nameKey)));
  return out;
}

/**
 * Validates a raw config (after `--set` overrides): fills defaults, rejects unknown keys and reports
 * every problem by path in plain words. `origin` names the file in the message.
 */
export function validateConfig(
  raw: Record<string, unknown>,
  context: ConfigContext,
  origin = 'config',
): ExperimentConfig {
  const bad = forbiddenKeyPath(raw);
  if (bad) {
    throw new UserError(
      `${origin}: ${bad}: __proto__, constructor and prototype are not settings (they would change how every object behaves).`,
    );
  }
  const config = structuredClone(raw);
  const problems: string[] = [];
  const top = compile(cachedTopLevel(context));
  if (!top(config)) problems.push(...formatAjvErrors(top.errors ?? []));

  const check = (value: unknown, schema: JsonSchema, prefix: string): void => {
    const validate = compile(schema);
    if (!validate(value)) problems.push(...formatAjvErrors(validate.errors ?? [], prefix));
  };
  const lookup = <T extends { name: string }>(
    registry: Registry<T>,
    name: unknown,
  ): T | undefined => {
    if (typeof name !== 'string') return undefined;
    try {
      return registry.get(name);
    } catch (error) {
      if (!(error instanceof FarziError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };

  const data = config.data as Record<string, unknown> | undefined;
  if (isObject(data)) {
    problems.push(...fillFromDataset(data));
    const adapter = lookup(context.adapters, data.format);
    if (adapter && isObject(data.options))
      check(data.options, cachedNamedPart(adapter.optionsSchema), 'data.options');
  }
  const model = config.model as Record<string, unknown> | undefined;
  if (isObject(model)) {
    const factory = lookup(context.models, model.name);
    const before = problems.length;
    if (factory) check(model, cachedNamedPart(factory.schema, 'name'), 'model');
    if (factory && problems.length === before) {
      // The factory's own checks between hyper-parameters (e.g. heads dividing the hidden size)
      // run now, not after the data has loaded: building a model allocates nothing.
      const { name: _name, ...hyper } = model;
      const maxLength = isObject(data) && typeof data.maxLength === 'number' ? data.maxLength : 1;
      try {
        factory.create(hyper, { vocabSize: 2, maxLength });
      } catch (error) {
        // Only the factory's user-facing checks count here; anything else surfaces when the
        // model is built for the real data.
        if (error instanceof FarziError) problems.push(error.message);
      }
    }
  }
  const train = config.train as Record<string, unknown> | undefined;
  if (isObject(train) && isObject(train.source)) {
    const source = lookup(context.sources, train.source.name);
    if (source) check(train.source, cachedNamedPart(source.schema, 'name'), 'train.source');
  }
  checkDistill(config, context, check, lookup, problems);
  const evaluation = config.eval as Record<string, unknown> | undefined;
  if (context.evaluators && context.evaluators.names().length > 0 && isObject(evaluation)) {
    const evaluator = lookup(context.evaluators, evaluation.evaluator);
    const names = evaluator?.metricNames?.(evaluation as unknown as EvalConfig);
    if (names && typeof evaluation.metric === 'string' && !names.includes(evaluation.metric)) {
      problems.push(
        `eval.metric: "${evaluation.metric}" is not a metric the ${evaluator?.name} evaluator reports with these settings; ` +
          `choose one of ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`,
      );
    }
  }
  problems.push(...nonFiniteNumbers(config));
  throwProblems(problems, origin);
  return config as ExperimentConfig;
}

/** Validates a `data` section on its own (for commands that only read data). */
export function validateDataConfig(
  raw: Record<string, unknown>,
  adapters: Registry<DataAdapter>,
  origin = 'data settings',
): DataConfig {
  const data = structuredClone(raw);
  const problems: string[] = [];
  const validate = compile(coreSections.data);
  if (!validate(data)) problems.push(...formatAjvErrors(validate.errors ?? [], 'data'));
  if (typeof data.format === 'string') {
    try {
      const adapter = adapters.get(data.format);
      const options = compile(cachedNamedPart(adapter.optionsSchema));
      if (!options(data.options))
        problems.push(...formatAjvErrors(options.errors ?? [], 'data.options'));
    } catch (error) {
      if (error instanceof FarziError) problems.push(error.message);
      else throw error;
    }
  }
  throwProblems(problems, origin);
  return data as unknown as DataConfig;
}

/**
 * `data.dataset` names a known data set: its format is filled in (the app locates its path).
 * Without it, `data.format` and `data.path` are required.
 */
function fillFromDataset(data: Record<string, unknown>): string[] {
  if (typeof data.dataset === 'string') {
    const known = knownDataset(data.dataset);
    if (known && data.format === undefined) data.format = known.format;
    if (known && data.format !== known.format) {
      return [
        `data.format: "${String(data.format)}" does not read data set ${known.name} (its format is "${known.format}")`,
      ];
    }
    return [];
  }
  const missing = ['format', 'path'].filter((k) => data[k] === undefined);
  return missing.length
    ? [
        `data: must have dataset (a known data set), or format and path (missing ${missing.join(' and ')})`,
      ]
    : [];
}

/** Paths of numbers that are not finite (JSON's 1e999 parses as Infinity). */
function nonFiniteNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? []
      : [`${path || '(config)'}: must be a finite number (got ${value})`];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFiniteNumbers(v, `${path}[${i}]`));
  if (isObject(value)) {
    return Object.entries(value).flatMap(([k, v]) =>
      nonFiniteNumbers(v, path ? `${path}.${k}` : k),
    );
  }
  return [];
}

function throwProblems(problems: string[], origin: string): void {
  if (problems.length === 0) return;
  const unique = [...new Set(problems)];
  const header =
    unique.length === 1 ? `${origin} has a problem:` : `${origin} has ${unique.length} problems:`;
  throw new UserError(`${header}\n${unique.map((p) => `  - ${p}`).join('\n')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One `if name = X then schema` clause per registered entry (`sub`: the schema applies there). */
function byName(
  entries: readonly { name: string; schema: JsonSchema }[],
  key: string,
  sub?: string,
): JsonSchema[] {
  return entries.map((e) => {
    const part = namedPartSchema(e.schema, key);
    const then = sub ? { properties: { [sub]: e.schema } } : part;
    return { if: { properties: { [key]: { const: e.name } }, required: [key] }, then };
  });
}

/** The `distill` section: `method` chooses a registered distiller, whose schema applies. */
function distillSection(section: JsonSchema, registry: Registry<Distiller>): JsonSchema {
  const distillers = registry.values();
  return {
    ...section,
    required: ['method'],
    properties: {
      method: { enum: registry.names(), description: 'the distiller (a registered method)' },
    },
    allOf: byName(
      distillers.map((d) => ({ name: d.name, schema: d.schema })),
      'method',
    ),
  };
}

/**
 * The whole config's JSON Schema for editors (`npx farzi config schema`): the core sections, every
 * plugin section, and each registered model's hyper-parameters, data format's options and training
 * source's settings, chosen by their name (`if`/`then`), with the descriptions validation uses.
 */
export function fullConfigSchema(context: ConfigContext): JsonSchema {
  const top = structuredClone(
    topLevelSchema(context.sections, context.distillers),
  ) as JsonSchema & {
    properties: Record<string, JsonSchema & { properties?: Record<string, JsonSchema> }>;
  };
  const p = top.properties;
  p.model = {
    ...p.model,
    properties: { name: { enum: context.models.names(), description: 'a registered model' } },
    allOf: byName(
      context.models.values().map((m) => ({ name: m.name, schema: m.schema })),
      'name',
    ),
  };
  p.data = {
    ...p.data,
    properties: {
      ...(p.data.properties ?? {}),
      format: { enum: context.adapters.names(), description: 'a registered data format' },
    },
    allOf: [
      ...byName(
        context.adapters.values().map((a) => ({ name: a.name, schema: a.optionsSchema })),
        'format',
        'options',
      ),
      // A data set named without its format: the options of the format that reads it.
      ...byName(
        KNOWN_DATASETS.filter((d) => context.adapters.has(d.format)).map((d) => ({
          name: d.name,
          schema: context.adapters.get(d.format).optionsSchema,
        })),
        'dataset',
        'options',
      ),
    ],
  };
  const train = p.train as JsonSchema & { properties: Record<string, JsonSchema> };
  train.properties.source = {
    ...train.properties.source,
    properties: { name: { enum: context.sources.names() } },
    allOf: byName(
      context.sources.values().map((s) => ({ name: s.name, schema: s.schema })),
      'name',
    ),
  };
  if (context.distillers && context.distillers.names().length) {
    p.distill = distillSection(p.distill, context.distillers);
  }
  if (context.evaluators && context.evaluators.names().length) {
    const evaluation = p.eval as JsonSchema & { properties: Record<string, JsonSchema> };
    evaluation.properties.evaluator = {
      ...evaluation.properties.evaluator,
      enum: context.evaluators.names(),
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'farzi experiment config',
    ...top,
  };
}
