import * as fs from 'fs';
import * as path from 'path';
import { cliWorkspace } from './testing/cliHarness';
import { describeWithRedis, Proc, RedisServer, startCli, until } from './testing/redisServer';

// Redis going away under a queued sweep (issue 33): killed without persistence and restarted,
// paused, gone for good. The coordinator waits a bounded time with one line, queues again what
// Redis lost, and always writes the summary of what finished.
describeWithRedis('a queued sweep when Redis goes away', () => {
  const workspace = cliWorkspace('farzi-queue-outage-');
  const { dir } = workspace;
  const secretFile = path.join(dir, 'queue.secret');
  fs.writeFileSync(secretFile, 'the-fleet-secret-0123456789abcdef\n', { mode: 0o600 });
  workspace.writeConfig(
    'base.json',
    { name: 'gru4rec', hiddenSize: 8 },
    {
      train: { epochs: 12, batchSize: 8, learningRate: 0.01, evalEvery: 6 },
    },
  );
  const procs: Proc[] = [];
  let redis: RedisServer | undefined;

  afterEach(async () => {
    for (const p of procs.splice(0)) p.child.kill('SIGKILL');
    await redis?.stop('SIGKILL');
  });
  afterAll(() => workspace.cleanup());

  function sweep(name: string, seeds: number[], extra: string[] = []): { proc: Proc; out: string } {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(
      file,
      `base: base.json\nattempts: 2\nbackoff: 100\ngrid:\n  seed: [${seeds.join(', ')}]\n`,
    );
    const out = path.join(dir, name);
    const proc = startCli([
      'sweep',
      '--config',
      file,
      '--out',
      out,
      '--queue',
      (redis as RedisServer).url,
      '--queue-name',
      name,
      '--queue-secret-file',
      secretFile,
      '--workers',
      '1',
      ...extra,
    ]);
    procs.push(proc);
    return { proc, out };
  }

  const lines = (text: string, pattern: RegExp) =>
    text.split('\n').filter((l) => pattern.test(l)).length;

  it('queues again what a restarted Redis lost, and finishes', async () => {
    redis = await RedisServer.start();
    const { proc, out } = sweep('restarted', [1, 2]);
    await until(() => /sweep: start/.test(proc.output()), 'a trial to start', 60);
    await redis.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    const code = await proc.exited;
    const output = proc.output();
    expect(output).toContain('2 done, 0 failed of 2');
    expect(code).toBe(0);
    expect(lines(output, /sweep: lost Redis/)).toBe(1);
    expect(output).toMatch(/Redis had lost \d+ queued trial\(s\); queued them again/);
    expect(lines(output, /ECONNREFUSED/)).toBeLessThanOrEqual(3);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(summary.counts).toEqual({ trials: 2, done: 2, failed: 0 });
  }, 240_000);

  it('waits out a paused Redis and writes the summary', async () => {
    redis = await RedisServer.start();
    const { proc, out } = sweep('paused', [3, 4]);
    await until(() => /sweep: start/.test(proc.output()), 'a trial to start', 60);
    redis.child?.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 8000));
    redis.child?.kill('SIGCONT');
    const code = await proc.exited;
    expect(proc.output()).not.toContain('internal error');
    expect(proc.output()).toContain('2 done, 0 failed of 2');
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(out, 'sweep.csv'))).toBe(true);
  }, 240_000);

  it('stops after --redis-wait when Redis does not come back, with what finished recorded', async () => {
    redis = await RedisServer.start();
    const { proc, out } = sweep('gone', [5, 6, 7], ['--redis-wait', '3']);
    await until(() => /sweep: done/.test(proc.output()), 'a trial to finish', 120);
    await redis.stop('SIGKILL');
    const code = await proc.exited;
    const output = proc.output();
    expect(code).toBe(1);
    expect(output).toContain('did not come back within 3 s');
    expect(lines(output, /sweep: lost Redis/)).toBe(1);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(summary.counts.trials).toBe(3);
    expect(summary.counts.done).toBeGreaterThanOrEqual(1);
    expect(summary.counts.done + summary.counts.failed).toBe(3);
  }, 240_000);
});
