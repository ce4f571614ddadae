/** Where a command writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars), false when piped (plain lines). */
  readonly interactive: boolean;
  readonly columns: number;
}

/**
 * A reader that went away (`farzi … | head -1`) ends the command quietly, as for any Unix tool:
 * EPIPE on stdout or stderr exits with the code the shell expects for a closed pipe, no stack trace.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY),
  columns: process.stderr.columns || 100,
};
