/**
 * Errors that reach the user. A `UserError` is a mistake in the input (config, data file, command
 * line) and exits with code 2; a `RunError` is a failure while running (e.g. a non-finite loss) and
 * exits with code 1. Both carry a plain-language message that the CLI prints without a stack trace.
 */
export class FarziError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UserError extends FarziError {
  constructor(message: string) {
    super(message, 2);
  }
}

export class RunError extends FarziError {
  constructor(message: string) {
    super(message, 1);
  }
}

export function isFarziError(error: unknown): error is FarziError {
  return error instanceof FarziError;
}
