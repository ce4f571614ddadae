import * as fs from 'fs';
import * as path from 'path';
import { RunError } from '../errors/FarziError';
import { errorCode, ioFailure } from './ioErrors';

/** Temporary files of the atomic writer: `.<name>.<pid>.<time>.tmp` beside the target. */
const TMP_PATTERN = /^\..+\.(\d+)\.\d+\.tmp$/;

/**
 * Writes every byte of `data` to `fd`: `fs.writeSync` may write fewer bytes than asked without
 * throwing (a full disk does this), so the writer loops, and a write that makes no progress is a
 * full disk.
 */
export function writeFully(fd: number, data: Uint8Array, file: string): void {
  let offset = 0;
  while (offset < data.length) {
    const n = fs.writeSync(fd, data, offset, data.length - offset);
    if (n <= 0) {
      throw new RunError(`cannot write ${file}: no space left on device (ENOSPC).`);
    }
    offset += n;
  }
}

/**
 * Writes a file atomically: the data goes to a temporary file in the same folder, every byte is
 * written and flushed, and then it is renamed over the target, so readers (and a crash, or a full
 * disk) never see a half-written file: on any failure the temporary file is removed and the old
 * target is left as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`,
  );
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      writeFully(fd, bytes, file);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    const kept = fs.existsSync(file) ? `; the previous ${path.basename(file)} is intact` : '';
    if (error instanceof RunError)
      throw new RunError(`${error.message.replace(/\.$/, '')}${kept}.`);
    throw ioFailure(error, `cannot write ${file}`, kept);
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Removes temporary files that a killed writer left in `dir` (those of processes no longer
 * running). Returns the names removed.
 */
export function removeStaleTemporaryFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TMP_PATTERN.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processAlive(pid)) continue; // a writer that still runs
    try {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return removed;
}

/**
 * Whether a process with this pid runs on this machine. A zombie (exited, not yet reaped: an orphan
 * under an init that does not reap, as in some containers) does not run, though signal 0 reaches it.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
  return !processExited(pid);
}

/** Linux: the process has exited and waits to be reaped (state Z or X in /proc/<pid>/stat). */
function processExited(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc (not Linux): signal 0 is all there is
  }
}
