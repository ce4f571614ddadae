import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors/FarziError';
import { errorCode, ioFailure } from './ioErrors';

/**
 * Checks, without creating anything, that `dir` is or can become a writable folder: it is not a
 * file, does not lie under a file, and its nearest existing ancestor is a writable folder on a
 * file system that accepts new folders. `option` names the setting in messages (e.g. "--out").
 */
export function checkWritableDirectory(dir: string, option: string): void {
  const absolute = path.resolve(dir);
  let existing = absolute;
  const missing: string[] = [];
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(existing);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOTDIR') {
        missing.unshift(path.basename(existing));
        existing = path.dirname(existing);
        continue;
      }
      if (code !== 'ENOENT') throw ioFailure(error, `${option} ${dir}: cannot use it`);
    }
    if (stat) {
      if (!stat.isDirectory()) {
        throw new UserError(
          existing === absolute
            ? `${option} ${dir} is a file, not a folder; choose a folder for the output.`
            : `${option} ${dir} lies under ${existing}, which is a file; choose a folder for the output.`,
        );
      }
      break;
    }
    missing.unshift(path.basename(existing));
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    throw new UserError(
      `${option} ${dir}: cannot create or write it (${existing} is not writable); choose another folder.`,
    );
  }
  // Virtual file systems (/proc, /sys) accept no new folders even for root.
  if (missing.length && /^\/(proc|sys)(\/|$)/.test(existing)) {
    throw new UserError(
      `${option} ${dir}: cannot create ${dir} (${existing} accepts no new folders).`,
    );
  }
}

/**
 * `mkdir -p` one level at a time, so that a path that cannot be created fails with a clear error
 * instead of the recursive mkdir's retry loop (which spins forever under /proc).
 */
export function makeDirectory(dir: string, option: string): void {
  checkWritableDirectory(dir, option);
  const absolute = path.resolve(dir);
  const chain: string[] = [];
  for (let p = absolute; !fs.existsSync(p); p = path.dirname(p)) chain.unshift(p);
  for (const p of chain) {
    try {
      fs.mkdirSync(p);
    } catch (error) {
      if (errorCode(error) === 'EEXIST' && fs.statSync(p).isDirectory()) continue;
      throw ioFailure(error, `${option} ${dir}: cannot create ${p}`);
    }
  }
}

/**
 * Checks, without creating anything, that `file` can be written as a file: it is not a folder and
 * its folder is or can become a writable folder.
 */
export function checkWritableFile(file: string, option: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) {
    throw new UserError(
      `${option} ${file} is a folder; give a file name, e.g. ${path.join(file, 'report.html')}.`,
    );
  }
  checkWritableDirectory(path.dirname(path.resolve(file)), `${option} ${file}: its folder`);
}
