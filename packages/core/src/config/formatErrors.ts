import type { ErrorObject } from 'ajv';
import type { JsonSchema } from './JsonSchema';

/** `/model/hiddenSize` → `model.hiddenSize`; `/distill/size/0` → `distill.size[0]`. */
export function toDottedPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out || '(config)';
}

/**
 * Turns ajv errors into one plain sentence each, keyed by path:
 * `model.hiddenSize: must be an integer >= 1 (got "64a")`.
 */
export function formatAjvErrors(errors: ErrorObject[], prefix = ''): string[] {
  // A failed oneOf/anyOf reports every branch; keep only the summary.
  const unions = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const kept = errors.filter(
    (e) =>
      unions.includes(e) ||
      !unions.some((u) =>
        e.schemaPath.startsWith(
          u.schemaPath.replace(/\/(oneOf|anyOf)$/, '') + '/' + u.keyword + '/',
        ),
      ),
  );
  const messages = new Map<string, string>();
  for (const error of kept) {
    const [path, message] = formatOne(error, prefix);
    if (!messages.has(path)) messages.set(path, `${path}: ${message}`);
  }
  return [...messages.values()];
}

function formatOne(error: ErrorObject, prefix: string): [string, string] {
  const path = toDottedPath(error.instancePath, prefix);
  const got = ` (got ${show(error.data)})`;
  const schema = (error.parentSchema ?? {}) as JsonSchema;
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return [path, `must be ${describeSchema(schema)}${got}`];
    case 'enum':
      return [path, `must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}${got}`];
    case 'const':
      return [path, `must be ${show(p.allowedValue)}${got}`];
    case 'required': {
      const missing = String(p.missingProperty);
      return [toDottedPath(`${error.instancePath}/${missing}`, prefix), 'is required but missing'];
    }
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const known = Object.keys(schema.properties ?? {}).filter((k) => k !== '$schema');
      const list = known.length ? ` (known settings here: ${known.join(', ')})` : '';
      return [
        toDottedPath(`${error.instancePath}/${extra}`, prefix),
        `is not a known setting${list}`,
      ];
    }
    case 'minLength':
      return [
        path,
        p.limit === 1
          ? `must not be empty${got}`
          : `must have at least ${p.limit} characters${got}`,
      ];
    case 'minItems':
      return [path, `must have at least ${p.limit} entries${got}`];
    case 'maxItems':
      return [path, `must have at most ${p.limit} entries${got}`];
    case 'oneOf':
    case 'anyOf': {
      const branches = ((schema[error.keyword] ?? []) as JsonSchema[]).map(describeSchema);
      return [path, `must be ${branches.join(' or ')}${got}`];
    }
    case 'pattern':
      return [path, `must match ${String(p.pattern)}${got}`];
    default:
      return [path, `${error.message ?? 'is invalid'}${got}`];
  }
}

/** "an integer >= 1", "a number in (0, 1)", "a string", "one of …". */
export function describeSchema(schema: JsonSchema): string {
  if (schema.enum) return `one of ${(schema.enum as unknown[]).map(show).join(', ')}`;
  if (schema.const !== undefined) return show(schema.const);
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
  const noun =
    type === 'integer'
      ? 'an integer'
      : type === 'number'
        ? 'a number'
        : type === 'string'
          ? 'a string'
          : type === 'boolean'
            ? 'true or false'
            : type === 'array'
              ? 'a list'
              : type === 'object'
                ? 'an object'
                : (type ?? 'a value');
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`>= ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) bounds.push(`<= ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
  return bounds.length ? `${noun} ${bounds.join(' and ')}` : noun;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
