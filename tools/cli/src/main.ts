import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { closestName, ioFailure, isFarziError, printable } from '@farzi/core';
import { commandHelp, parseCommandArgs } from './args';
import type { Command } from './Command';
import { commands } from './commands';
import { backendMemoryError } from './memoryErrors';
import { Io, processIo } from './Io';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'farzi — train sequential recommenders and distil Farzi Data',
    '',
    'Usage: farzi <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `farzi <command> --help` for a command's options and examples.",
    '`farzi --version` prints the version. Exit codes: 0 success, 1 run failure, 2 usage or input error.',
    '',
  ].join('\n');
}

/** The app's version (its package.json). */
function cliVersion(): string {
  const file = path.join(__dirname, '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Finds the command named by the leading words of argv (longest match). */
function findCommand(argv: string[]): [Command, string[]] | undefined {
  let best: [Command, string[]] | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (
      words.every((w, i) => argv[i] === w) &&
      (!best || words.length > best[0].name.split(' ').length)
    ) {
      best = [command, argv.slice(words.length)];
    }
  }
  return best;
}

/** Runs the CLI; returns the exit code. User mistakes print one paragraph, never a stack trace. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  // Production mode: no debug checks, and no TensorFlow.js console banners in the output.
  tf.env().set('PROD', true);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.out(`farzi ${cliVersion()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    const close = closestName(argv[0], [...new Set(commands.map((c) => c.name.split(' ')[0]))]);
    const hint = group.length
      ? `"${argv[0]}" needs a subcommand: ${group.map((c) => c.name).join(', ')}.`
      : `unknown command "${argv.join(' ')}".${close ? ` Did you mean "${close}"?` : ''}`;
    io.err(`farzi: ${printable(hint, 300)} Run \`farzi --help\` for the list.\n`);
    return 2;
  }
  const [command, rest] = found;
  try {
    const values = parseCommandArgs(command, rest);
    if (values.help) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(values, io);
  } catch (caught) {
    // A file-system failure that no command caught (a full disk, a path that cannot be written)
    // is still one paragraph, not a stack trace.
    const { syscall, path } = (caught ?? {}) as { syscall?: string; path?: string };
    let error = ioFailure(caught, `cannot ${syscall ?? 'access'}${path ? ` ${path}` : ' a file'}`);
    const message = (caught as Error | undefined)?.message ?? '';
    error = backendMemoryError(message, command.name) ?? error;
    if (isFarziError(error)) {
      io.err(`farzi ${command.name}: ${printable(error.message)}\n`);
      return error.exitCode;
    }
    io.err(
      `farzi ${command.name}: internal error (please report it):\n${(error as Error).stack ?? String(error)}\n`,
    );
    return 1;
  }
}

// The app's public API for scripts and benchmarks.
export { appServices, loadPlugins, pluginModules } from './plugins';
export { loadExperiment } from './experiment';
export { loadRun } from './runs';
export type { LoadedRun } from './runs';
export { exportedModelFromContents, loadExport, writeExport } from './exported';
export type { ExportedModel, ExportManifest } from './exported';
export { renderVegaLite } from './charts';
