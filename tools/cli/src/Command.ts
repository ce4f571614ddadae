import type { Io } from './Io';

export type OptionSpec = {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  description: string;
  /** Shown in help, e.g. "<file>". */
  value?: string;
};

export interface Command {
  /** Words that select it, e.g. "datasets stats". */
  readonly name: string;
  readonly summary: string;
  readonly options: Record<string, OptionSpec>;
  /** Example invocations shown in --help. */
  readonly examples: string[];
  /** Accepts positional arguments (passed as \`_\`). */
  readonly positional?: boolean;
  run(values: Record<string, unknown>, io: Io): Promise<number>;
}
