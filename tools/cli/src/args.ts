import { parseArgs } from 'util';
import { closestName, JsonSchema, topLevelSchema, UserError } from '@farzi/core';
import { appServices } from './plugins';
import type { Command, OptionSpec } from './Command';

/** Parses a command's flags strictly; unknown flags and stray words are usage errors. */
export function parseCommandArgs(command: Command, argv: string[]): Record<string, unknown> {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; multiple?: boolean; short?: string }
  > = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = {
      type: spec.type,
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      strict: true,
      allowPositionals: true,
    });
    if (command.positional) return { ...values, _: positionals };
    if (positionals.length > 0) {
      throw new UserError(
        `unexpected argument "${positionals[0]}". See \`farzi ${command.name} --help\`.`,
      );
    }
    return values;
  } catch (error) {
    if (error instanceof UserError) throw error;
    // Node's hint about positionals starting with '-' only confuses here.
    const message = (error as Error).message.replace(
      /\. To specify a positional argument[\s\S]*$/,
      '',
    );
    throw new UserError(
      `${message}.${suggestFlag(command, message, argv)} See \`farzi ${command.name} --help\`.`,
    );
  }
}

/**
 * " Did you mean …?" for an unknown flag: a close flag of the command, or, for commands that take
 * --set, the config key it names (`--epochs 3` → `--set train.epochs=3`).
 */
function suggestFlag(command: Command, message: string, argv: string[]): string {
  const match = /Unknown option '(--?[^']+)'/.exec(message);
  if (!match) return '';
  const flag = match[1].replace(/^-+/, '').split('=')[0];
  if ('set' in command.options) {
    const key = configKeyFor(flag);
    if (key) {
      const at = argv.findIndex((a) => a === match[1] || a.startsWith(`${match[1]}=`));
      const inline = argv[at]?.includes('=') ? argv[at].split('=').slice(1).join('=') : undefined;
      const next = argv[at + 1];
      const value = inline ?? (next !== undefined && !next.startsWith('-') ? next : '<value>');
      return ` Did you mean --set ${key}=${value}?`;
    }
  }
  const close = closestName(flag, Object.keys(command.options));
  return close ? ` Did you mean --${close}?` : '';
}

/** The dotted config key whose last part is `flag` (kebab or camel case), if one stands out. */
function configKeyFor(flag: string): string | undefined {
  const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const found: string[] = [];
  const walk = (schema: JsonSchema | undefined, prefix: string): void => {
    for (const [k, child] of Object.entries(schema?.properties ?? {})) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (k === camel) found.push(key);
      walk(child as JsonSchema, key);
    }
  };
  walk(topLevelSchema(appServices().sections), '');
  // The shallowest key wins (train.epochs over distill.student.epochs) when it is the only one.
  const depth = (k: string) => k.split('.').length;
  const shallowest = found.filter((k) => depth(k) === Math.min(...found.map(depth)));
  return shallowest.length === 1 ? shallowest[0] : undefined;
}

export function commandHelp(command: Command): string {
  const lines = [`farzi ${command.name} — ${command.summary}`, '', 'Options:'];
  const entries: [string, OptionSpec][] = [
    ...Object.entries(command.options),
    ['help', { type: 'boolean', short: 'h', description: 'show this help' }],
  ];
  for (const [name, spec] of entries) {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : ''}`;
    lines.push(`  ${flag.padEnd(30)} ${spec.description}${spec.multiple ? ' (repeatable)' : ''}`);
  }
  lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}

/** A required string flag. */
export function requireString(
  values: Record<string, unknown>,
  name: string,
  command: Command,
): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new UserError(`--${name} is required. See \`farzi ${command.name} --help\`.`);
  }
  return value;
}
