import * as fs from 'fs';
import * as path from 'path';
import { cliWorkspace, run } from './testing/cliHarness';
import {
  describeWithRedis,
  freePort,
  Proc,
  RedisServer,
  startCli,
  until,
} from './testing/redisServer';

// Sweeps on a BullMQ queue against a real Redis. Workers and the coordinator are the compiled app
// in separate processes, as on a fleet.
/** The kernel's state letter of a process (R, S, D, Z...), or undefined when it is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
}

/** Runs: an exited process left unreaped (Z, where init does not reap orphans) has ended. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = processState(pid);
  return state !== 'Z' && state !== 'X';
}

describeWithRedis('farzi sweep --queue (BullMQ on a real Redis)', () => {
  const workspace = cliWorkspace('farzi-sweep-queue-');
  const { dir } = workspace;
  let redis: RedisServer;
  let url = '';
  const procs: Proc[] = [];
  const secretFile = path.join(dir, 'queue.secret');
  fs.writeFileSync(secretFile, 'a-secret-of-the-test-fleet-0123456789\n', { mode: 0o600 });
  const start = (args: string[]) => startCli([...args, '--queue-secret-file', secretFile]);

  beforeAll(async () => {
    redis = await RedisServer.start();
    url = redis.url;
  });

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await redis.stop();
    workspace.cleanup();
  });

  it('finishes every trial exactly once when a worker is killed in the middle of a trial', async () => {
    // Trials long enough to be killed in the middle (checkpoints every epoch).
    workspace.writeConfig(
      'base.json',
      { name: 'sasrec', hiddenSize: 8, blocks: 1, heads: 1 },
      {
        train: { epochs: 200, batchSize: 8, learningRate: 0.01, evalEvery: 20 },
      },
    );
    const sweep = path.join(dir, 'sweep.yaml');
    fs.writeFileSync(sweep, 'base: base.json\nbackoff: 200\ngrid:\n  seed: [1, 2, 3]\n');
    const out = path.join(dir, 'out');
    const name = `test-${process.pid}`;
    const coordinator = start([
      'sweep',
      '--config',
      sweep,
      '--out',
      out,
      '--queue',
      url,
      '--queue-name',
      name,
    ]);
    procs.push(coordinator);
    const worker = () =>
      start([
        'worker',
        '--queue',
        url,
        '--queue-name',
        name,
        '--lock-seconds',
        '2',
        '--idle-exit',
        '60',
        '--out',
        out,
        '--allow-read',
        workspace.dataDir,
        '--concurrency',
        '1',
      ]);
    const a = worker();
    const b = worker();
    procs.push(a, b);
    // Kill worker A once its trial has written a checkpoint (mid-run: resumable).
    let victim = '';
    await until(() => {
      const m = a.output().match(/worker: ([0-9a-f]{12}) \(attempt/);
      if (!m) return false;
      victim = m[1];
      return fs.existsSync(path.join(out, 'trials', victim, 'checkpoints', 'last.safetensors'));
    }, 'worker A to checkpoint a trial');
    const lock = JSON.parse(fs.readFileSync(path.join(out, 'trials', victim, '.lock'), 'utf8'));
    a.child.kill('SIGKILL');
    // Its training process goes with it (no orphan holding the run directory).
    // It notices when it yields to the event loop (at most every 200 ms of compute), or when its
    // next write to the dead worker's pipe fails; a loaded machine stretches both.
    await until(
      () => !alive(lock.pid),
      `the killed worker’s training (pid ${lock.pid}) to exit`,
      60,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its state: ${processState(lock.pid) ?? 'gone'}`);
    });
    const code = await coordinator.exited;
    expect(coordinator.output()).not.toContain('FAILED');
    expect(code).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(summary.counts).toEqual({ trials: 3, done: 3, failed: 0 });
    expect(summary.trials.map((t: { id: string }) => t.id).sort()).toEqual(
      [...new Set(summary.trials.map((t: { id: string }) => t.id))].sort(),
    );
    // Worker B took the victim over and resumed it from its checkpoint.
    expect(b.output()).toContain(`worker: ${victim} (attempt`);
    const log = fs.readFileSync(path.join(out, 'trials', victim, 'log.jsonl'), 'utf8');
    expect(log).toMatch(/resuming after epoch [1-9]/);
    const victimResult = summary.trials.find((t: { id: string }) => t.id === victim);
    expect(victimResult.status).toBe('done');
    expect(victimResult.attempts).toBe(2);
    b.child.kill('SIGTERM');
    await b.exited;
  }, 300_000); // ~40 s alone; several times that when the machine is busy (the test suite runs two projects at once)

  it('says so (exit 2) when Redis cannot be reached, for the sweep and the worker', async () => {
    const closed = await freePort();
    fs.writeFileSync(path.join(dir, 'tiny.yaml'), 'base: base.json\ngrid:\n  seed: [1]\n');
    const r = await run(
      'sweep',
      '--config',
      path.join(dir, 'tiny.yaml'),
      '--out',
      path.join(dir, 'x'),
      '--queue',
      `redis://127.0.0.1:${closed}`,
      '--queue-secret-file',
      secretFile,
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot reach Redis at redis://127.0.0.1:${closed}`);
    const w = await run(
      'worker',
      '--queue',
      `redis://127.0.0.1:${closed}`,
      '--queue-secret-file',
      secretFile,
    );
    expect(w.code).toBe(2);
    const bad = await run('worker', '--queue', 'http://example.org');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('expected redis://host:port or rediss://host:port');
  });
});
