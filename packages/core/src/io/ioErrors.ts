import { FarziError, RunError, UserError } from '../errors/FarziError';

/** The Node.js error code of a file-system error (`ENOSPC`, `EACCES`, …), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const USER_CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  ENOENT: 'no such file or folder',
};

/**
 * A file-system failure as an error the CLI prints in one paragraph: a full disk or quota is a run
 * failure (exit 1), a path the user chose that cannot be written is an input error (exit 2); any
 * other error passes through unchanged. `what` says what was attempted ("cannot write X").
 */
export function ioFailure(error: unknown, what: string, suffix = ''): unknown {
  if (error instanceof FarziError) return error;
  const code = errorCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new RunError(
      `${what}: no space left on device (${code})${suffix}. Free some space and run again (--resume continues an interrupted run).`,
    );
  }
  if (code && code in USER_CAUSES) {
    return new UserError(`${what}: ${USER_CAUSES[code]} (${code})${suffix}.`);
  }
  return error;
}
