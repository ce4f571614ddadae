import { parseArgs } from 'util';
import { UserError } from '@farzi/core';
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
    throw new UserError(`${(error as Error).message}. See \`farzi ${command.name} --help\`.`);
  }
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
