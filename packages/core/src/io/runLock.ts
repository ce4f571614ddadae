import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../errors/FarziError';
import { processAlive } from './atomicWrite';
import { errorCode, ioFailure } from './ioErrors';

interface LockOwner {
  pid: number;
  host: string;
  /** The owner's start time as the kernel counts it (Linux), to tell a reused pid apart. */
  processStart?: string;
  started: string;
  command: string;
}

const held = new Set<string>();
let exitHookInstalled = false;

/** The start time of a process in clock ticks since boot (Linux's /proc/<pid>/stat field 22). */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function ownerIsGone(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return false; // cannot check another machine's processes
  if (!processAlive(owner.pid)) return true;
  const start = processStartTime(owner.pid);
  return owner.processStart !== undefined && start !== undefined && start !== owner.processStart;
}

/**
 * An exclusive lock on a run directory (`<dir>/.lock`, created with O_EXCL, holding the owner's pid,
 * host and command). A lock whose process no longer runs on this host (killed, crashed) is stale
 * and taken over; a live owner makes the second process stop with an error naming it. Released on
 * `release()` and when the process exits.
 */
export class RunLock {
  private constructor(readonly file: string) {}

  static acquire(dir: string): RunLock {
    const file = path.join(dir, '.lock');
    if (held.has(file)) return new RunLock(file);
    const owner: LockOwner = {
      pid: process.pid,
      host: os.hostname(),
      processStart: processStartTime(process.pid),
      started: new Date().toISOString(),
      command: process.argv.slice(1).join(' ').slice(0, 300),
    };
    for (let attempt = 0; ; attempt++) {
      // Written whole to a private file, then hard-linked into place: link fails if the lock
      // exists, and a lock file is never seen half-written.
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      try {
        fs.writeFileSync(tmp, `${JSON.stringify(owner)}\n`);
        fs.linkSync(tmp, file);
        break;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw ioFailure(error, `cannot lock ${dir}`);
        if (isFolder(file)) {
          throw new UserError(
            `${file} is a folder, not a lock file: nothing of ours makes it. Remove it (rmdir ${file}) and run again.`,
          );
        }
        const other = readOwner(file);
        if ((other === undefined || ownerIsGone(other)) && attempt < 3) {
          fs.rmSync(file, { force: true }); // stale: its owner died without releasing it
          continue;
        }
        const who = other
          ? `process ${other.pid} on ${other.host} (started ${other.started}: ${other.command})`
          : 'another process';
        throw new UserError(
          `${dir} is in use by ${who}. Wait for it to finish or stop it; two runs must not write one directory. ` +
            `If no such process runs, delete ${file}.`,
        );
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    }
    held.add(file);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const f of held) fs.rmSync(f, { force: true });
      });
    }
    return new RunLock(file);
  }

  release(): void {
    if (!held.delete(this.file)) return;
    fs.rmSync(this.file, { force: true });
  }
}

function isFolder(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined; // damaged by hand: treated as stale
  }
}
