import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunError, UserError } from '../errors/FarziError';
import { tempDir } from '../testing/tempFiles';
import { RunDirectory } from '../train/RunDirectory';
import { removeStaleTemporaryFiles, writeFileAtomic } from './atomicWrite';
import { checkWritableDirectory, makeDirectory } from './directories';
import { RunLock } from './runLock';

// The module object itself (the `import * as` namespace is read-only); writers read through it.
const nodeFs = require('fs') as typeof fs;
const tmp = tempDir('farzi-reliability-');
afterAll(() => tmp.cleanup());
afterEach(() => jest.restoreAllMocks());

/** A small tmpfs mounted for one test, when this machine allows mounting (root on Linux). */
function smallTmpfs(kib: number): string | undefined {
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mount]);
  if (r.status !== 0) {
    fs.rmSync(mount, { recursive: true, force: true });
    return undefined;
  }
  return mount;
}
function unmount(mount: string): void {
  spawnSync('umount', [mount]);
  fs.rmSync(mount, { recursive: true, force: true });
}
const tmpFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('writeFileAtomic', () => {
  it('finishes a file that the system writes in short pieces', () => {
    const file = path.join(tmp.dir, 'short-pieces.bin');
    const real = fs.writeSync;
    jest
      .spyOn(nodeFs, 'writeSync')
      .mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number) =>
        real(fd, buf, off, Math.min(len, 7))) as typeof fs.writeSync);
    const data = new Uint8Array(100).map((_, i) => i);
    writeFileAtomic(file, data);
    expect(new Uint8Array(fs.readFileSync(file))).toEqual(data);
  });

  it('fails on a write that stops short (a full disk) and keeps the previous file', () => {
    const file = path.join(tmp.dir, 'kept.bin');
    writeFileAtomic(file, 'the good checkpoint');
    const real = fs.writeSync;
    let calls = 0;
    // As on a full disk: the first write is partial, the next writes nothing, and no error is thrown.
    jest
      .spyOn(nodeFs, 'writeSync')
      .mockImplementation(((fd: number, buf: Uint8Array, off: number, len: number) =>
        calls++ === 0 ? real(fd, buf, off, Math.floor(len / 2)) : 0) as typeof fs.writeSync);
    expect(() => writeFileAtomic(file, new Uint8Array(1000))).toThrow(
      /no space left on device.*the previous kept\.bin is intact/,
    );
    jest.restoreAllMocks();
    expect(fs.readFileSync(file, 'utf8')).toBe('the good checkpoint');
    expect(tmpFiles(tmp.dir)).toEqual([]);
  });

  it('on a real full file system: RunError, previous file intact, no temporary file left', () => {
    const mount = smallTmpfs(64);
    if (!mount) {
      console.warn('mount not permitted here; the injected short-write test covers this case');
      return;
    }
    try {
      const file = path.join(mount, 'last.safetensors');
      writeFileAtomic(file, new Uint8Array(20_000).fill(7));
      const error = (() => {
        try {
          writeFileAtomic(file, new Uint8Array(60_000).fill(9));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(RunError);
      expect((error as Error).message).toMatch(/no space left on device/);
      expect(fs.statSync(file).size).toBe(20_000);
      expect(fs.readFileSync(file)[0]).toBe(7);
      expect(tmpFiles(mount)).toEqual([]);
    } finally {
      unmount(mount);
    }
  });
});

describe('output folders', () => {
  it('refuses a file, a path under a file and a virtual file system, with the option named', () => {
    const file = tmp.write('a-file', 'x');
    expect(() => checkWritableDirectory(file, '--out')).toThrow(
      new UserError(`--out ${file} is a file, not a folder; choose a folder for the output.`),
    );
    expect(() => makeDirectory(path.join(file, 'run'), '--out')).toThrow(
      /lies under .*a-file, which is a file/,
    );
    const started = Date.now();
    expect(() => makeDirectory('/proc/farzi-test/run', '--out')).toThrow(UserError);
    expect(() => makeDirectory('/proc/farzi-test/run', '--out')).toThrow(/cannot create/);
    expect(Date.now() - started).toBeLessThan(1000); // never the recursive mkdir's endless loop
  });

  it('creates nested folders one level at a time', () => {
    const dir = path.join(tmp.dir, 'a', 'b', 'c');
    makeDirectory(dir, '--out');
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    makeDirectory(dir, '--out'); // existing: fine
  });

  it('removes temporary files of writers that no longer run, and keeps live ones', () => {
    const dir = fs.mkdtempSync(path.join(tmp.dir, 'stale-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    fs.writeFileSync(path.join(dir, `.last.safetensors.${deadPid}.1700000000000.tmp`), 'torn');
    fs.writeFileSync(path.join(dir, `.best.safetensors.${process.pid}.1700000000000.tmp`), 'mine');
    fs.writeFileSync(path.join(dir, 'keep.tmp'), 'not a writer temp file');
    expect(removeStaleTemporaryFiles(dir)).toEqual([
      `.last.safetensors.${deadPid}.1700000000000.tmp`,
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual(
      [`.best.safetensors.${process.pid}.1700000000000.tmp`, 'keep.tmp'].sort(),
    );
  });
});

describe('RunLock', () => {
  it('refuses a directory locked by a live process, naming it, and takes over a stale lock', async () => {
    const dir = fs.mkdtempSync(path.join(tmp.dir, 'lock-'));
    // A live owner: a process that sleeps while holding the lock file.
    const sleeper = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(
        path.join(dir, '.lock'),
        JSON.stringify({
          pid: sleeper.pid,
          host: os.hostname(),
          started: 'now',
          command: 'farzi train',
        }),
      );
      expect(() => RunLock.acquire(dir)).toThrow(
        new RegExp(`in use by process ${sleeper.pid} on .*farzi train`),
      );
    } finally {
      sleeper.kill();
    }
    await new Promise((resolve) => sleeper.once('exit', resolve));
    // The owner died without releasing: the lock is stale and taken over.
    const lock = RunLock.acquire(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
  });

  it('takes over a lock whose owner exited but was never reaped (a zombie)', async () => {
    if (process.platform !== 'linux') return;
    const dir = fs.mkdtempSync(path.join(tmp.dir, 'lock-zombie-'));
    // `sh` starts a short `sleep` in the background, prints its pid and becomes a long `sleep`,
    // which never waits for it: the short one exits (after the exec, so the shell cannot reap it)
    // and stays a zombie, as an orphan does under an init that does not reap.
    const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30']);
    try {
      const pid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      const zombie = () => {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
      };
      for (let i = 0; i < 500 && !zombie(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(zombie()).toBe(true);
      expect(() => process.kill(pid, 0)).not.toThrow(); // signal 0 still reaches it
      fs.writeFileSync(
        path.join(dir, '.lock'),
        JSON.stringify({ pid, host: os.hostname(), started: 'then', command: 'farzi train' }),
      );
      const lock = RunLock.acquire(dir);
      expect(JSON.parse(fs.readFileSync(path.join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
      lock.release();
    } finally {
      parent.kill();
    }
  });

  it('is re-entrant within one process and released on close', () => {
    const dir = fs.mkdtempSync(path.join(tmp.dir, 'lock2-'));
    const run = new RunDirectory(dir);
    run.prepare({ a: 1 }, false);
    const owner = JSON.parse(fs.readFileSync(path.join(dir, '.lock'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: os.hostname() });
    run.close();
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
  });
});

describe('RunDirectory', () => {
  it('starts a directory without a checkpoint afresh, whatever the config; one with a checkpoint resumes only with its own', () => {
    const dir = path.join(tmp.dir, 'no-checkpoint');
    const first = new RunDirectory(dir);
    expect(first.prepare({ a: 1 }, false)).toBe(false);
    first.close();
    const again = new RunDirectory(dir);
    expect(again.prepare({ a: 1 }, true)).toBe(false); // config only: start from scratch
    again.close();
    // A run that failed before its first checkpoint left nothing to keep: another config starts over.
    for (const resume of [true, false]) {
      const other = new RunDirectory(dir);
      expect(other.prepare({ a: 2 }, resume)).toBe(false);
      other.close();
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ a: 2 });
    fs.writeFileSync(path.join(dir, 'checkpoints', 'last.safetensors'), 'x');
    expect(() => new RunDirectory(dir).prepare({ a: 1 }, true)).toThrow(/config differs/);
    expect(() => new RunDirectory(dir).prepare({ a: 2 }, false)).toThrow(/already holds a run/);
    const resumed = new RunDirectory(dir);
    expect(resumed.prepare({ a: 2 }, true)).toBe(true);
    resumed.close();
  });

  it('names a damaged JSON file instead of throwing a parser error', () => {
    const dir = path.join(tmp.dir, 'damaged');
    const run = new RunDirectory(dir);
    run.prepare({ a: 1 }, false);
    run.close();
    fs.writeFileSync(path.join(dir, 'checkpoints', 'last.safetensors'), 'x');
    fs.writeFileSync(path.join(dir, 'config.json'), '{"a": 1');
    expect(() => new RunDirectory(dir).prepare({ a: 1 }, true)).toThrow(
      new RegExp(`${path.join(dir, 'config.json')} is not valid JSON`),
    );
  });
});
