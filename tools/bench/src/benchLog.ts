import * as fs from 'fs';
import * as path from 'path';

/** A benchmark's log: each line time-stamped on stderr and appended to `<out>/log.txt`. */
export function benchLog(out: string): (line: string) => void {
  return (s: string) => {
    const line = `${new Date().toISOString()} ${s}`;
    process.stderr.write(`${line}\n`);
    fs.appendFileSync(path.join(out, 'log.txt'), `${line}\n`);
  };
}
