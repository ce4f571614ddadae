import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Job, Queue, Worker } from 'bullmq';
import { signJob, signResult } from './sweep/queueAuth';
import { cliWorkspace, run } from './testing/cliHarness';
import { describeWithRedis, freePort, Proc, RedisServer, startCli } from './testing/redisServer';

// The hostile sweep's queue cases (issue 33), against a real redis-server with a forged-job client:
// an attacker who can write to Redis but does not hold the fleet's secret.
const SECRET = 'the-fleet-secret-0123456789abcdef';
const OTHER = 'another-secret-0123456789abcdef00';

describeWithRedis('the queue trusts only what the fleet’s secret signed', () => {
  const workspace = cliWorkspace('farzi-queue-security-');
  const { dir } = workspace;
  const secretFile = path.join(dir, 'queue.secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const marker = path.join(dir, 'PLUGIN-RAN');
  const evil = path.join(dir, 'evil-plugin.js');
  fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'pwned');\n`);
  const private_ = path.join(dir, 'private', 'notes.txt');
  fs.mkdirSync(path.dirname(private_));
  fs.writeFileSync(private_, 'PRIVATE-FIRST-LINE\tx\t1\t1\n');
  const configFile = workspace.writeConfig('base.json', { name: 'gru4rec', hiddenSize: 8 });
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  let redis: RedisServer;
  const procs: Proc[] = [];
  const queues: (Queue | Worker)[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    await redis.stop();
    workspace.cleanup();
  });

  const connection = () => ({ host: '127.0.0.1', port: redis.port });

  /** Waits until a job has failed; its reason. */
  async function failedReason(queue: Queue, id: string): Promise<string> {
    let job: Job | undefined;
    const deadline = Date.now() + 60_000;
    for (;;) {
      job = await queue.getJob(id);
      // The state can read 'failed' an instant before the reason is stored.
      if (job && (await job.getState()) === 'failed' && job.failedReason) return job.failedReason;
      if (Date.now() > deadline) throw new Error(`job ${id} did not fail`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('fails forged jobs (unsigned, mis-signed, plugins, a path in the id, files outside) without running them', async () => {
    const name = `forged-${process.pid}`;
    const out = path.join(dir, 'worker');
    const worker = startCli([
      'worker',
      '--queue',
      redis.url,
      '--queue-name',
      name,
      '--queue-secret-file',
      secretFile,
      '--out',
      out,
      '--allow-read',
      workspace.dataDir,
      '--lock-seconds',
      '5',
    ]);
    procs.push(worker);
    const queue = new Queue(name, { connection: connection() });
    queues.push(queue);
    const trial = (id: string, extra: Record<string, unknown> = {}) => ({
      id,
      settings: { seed: 1 },
      config: { ...config, ...extra },
    });
    const secret = Buffer.from(SECRET);
    const cases: [string, unknown, RegExp][] = [
      [
        'unsigned',
        { trial: trial('aaaaaaaaaaaa', { plugins: [evil] }), out: dir },
        /refused an unsigned job/,
      ],
      [
        'mis-signed',
        signJob(
          Buffer.from(OTHER),
          name,
          'mis-signed',
          trial('bbbbbbbbbbbb', { plugins: [evil] }),
          dir,
        ),
        /signature does not match/,
      ],
      [
        'plugin',
        signJob(secret, name, 'plugin', trial('cccccccccccc', { plugins: [evil] }), dir),
        /names plugin "…", which this worker does not load/,
      ],
      [
        'traversal',
        signJob(secret, name, 'traversal', trial('../../evil/victim/package'), dir),
        /refused a trial whose id "…" is not a sweep's/,
      ],
      [
        'outside',
        signJob(
          secret,
          name,
          'outside',
          trial('dddddddddddd', {
            data: { format: 'movielens-100k', path: private_, maxLength: 10 },
          }),
          dir,
        ),
        /data\.path is outside the folders this worker reads/,
      ],
    ];
    for (const [id, data] of cases) await queue.add('trial', data, { jobId: id, attempts: 1 });
    for (const [id, , reason] of cases) {
      const why = await failedReason(queue, id);
      expect(why).toMatch(reason);
      expect(why).not.toContain('PRIVATE-FIRST-LINE');
    }
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'evil'))).toBe(false);
    // Nothing was created for a refused trial, not even a run directory.
    expect(fs.existsSync(path.join(out, 'trials'))).toBe(false);
    expect(worker.output()).not.toContain('PRIVATE-FIRST-LINE');
    worker.child.kill('SIGTERM');
    await worker.exited;
  }, 120_000);

  it('records no forged result: wrong signature, another trial’s id, a path in the id', async () => {
    const name = `results-${process.pid}`;
    const sweep = path.join(dir, 'one.yaml');
    fs.writeFileSync(sweep, 'base: base.json\nattempts: 1\ngrid:\n  seed: [1, 2]\n');
    const out = path.join(dir, 'forged-results');
    const coordinator = startCli([
      'sweep',
      '--config',
      sweep,
      '--out',
      out,
      '--queue',
      redis.url,
      '--queue-name',
      name,
      '--queue-secret-file',
      secretFile,
      '--workers',
      '0',
    ]);
    procs.push(coordinator);
    // The attacker's worker: answers every job with forged metrics.
    let n = 0;
    const fake = new Worker(
      name,
      async (job) => {
        const forged = {
          id: '../../../evil/x',
          settings: {},
          status: 'done',
          valid: { 'NDCG@10': 0.99 },
          test: { 'NDCG@10': 0.99 },
          seconds: 1,
          attempts: 1,
          runDir: '',
          host: 'evil',
        };
        // One unsigned, one signed with a secret that is not the fleet's.
        return n++ === 0
          ? { result: forged, mac: 'f'.repeat(64) }
          : signResult(Buffer.from(OTHER), name, job.id as string, forged as never);
      },
      { connection: connection() },
    );
    queues.push(fake);
    const code = await coordinator.exited;
    const output = coordinator.output();
    expect(output).not.toContain('0.99');
    expect(output).toContain('0 done, 2 failed of 2');
    expect(code).toBe(1);
    expect(fs.existsSync(path.join(dir, 'evil'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(dir), 'evil'))).toBe(false);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(summary.counts).toEqual({ trials: 2, done: 0, failed: 2 });
    for (const t of summary.trials) expect(t.error).toMatch(/result refused: .*signature/);
    expect(fs.readdirSync(path.join(out, 'results')).sort()).toEqual(
      summary.trials.map((t: { id: string }) => `${t.id}.json`).sort(),
    );
    await fake.close();
  }, 120_000);

  it('refuses to start without the secret, and bad queue settings (exit 2)', async () => {
    const saved = { ...process.env };
    delete process.env.FARZI_QUEUE_SECRET;
    delete process.env.FARZI_QUEUE_SECRET_FILE;
    try {
      const none = await run('worker', '--queue', redis.url);
      expect(none.code).toBe(2);
      expect(none.err).toContain('a queue needs the fleet’s shared secret');
      const short = path.join(dir, 'short.secret');
      fs.writeFileSync(short, 'abc\n');
      const weak = await run('worker', '--queue', redis.url, '--queue-secret-file', short);
      expect(weak.code).toBe(2);
      expect(weak.err).toContain('use at least 16');
      const s = ['--queue-secret-file', secretFile];
      for (const [args, message] of [
        [['--concurrency', '0'], '--concurrency 0: expected a whole number >= 1'],
        [['--lock-seconds', '0'], '--lock-seconds 0: expected a whole number >= 1'],
      ] as const) {
        const r = await run('worker', '--queue', redis.url, ...s, ...args);
        expect(r.code).toBe(2);
        expect(r.err).toContain(message);
      }
      const db = await run('worker', '--queue', `${redis.url}/abc`, ...s);
      expect(db.code).toBe(2);
      expect(db.err).toContain('"abc" is not a database number');
    } finally {
      process.env = saved;
    }
  });
});

describeWithRedis('a private Redis: password and TLS', () => {
  const workspace = cliWorkspace('farzi-queue-private-');
  const { dir } = workspace;
  const secretFile = path.join(dir, 'queue.secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const password = 's3cret-pw-of-redis';
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start(['--requirepass', password]);
  });

  afterAll(async () => {
    await redis.stop();
    workspace.cleanup();
  });

  it('says "authentication failed" for a wrong or missing password, and takes it from $FARZI_REDIS_PASSWORD', async () => {
    const s = ['--queue-secret-file', secretFile];
    const wrong = await run('worker', '--queue', `redis://:nope@127.0.0.1:${redis.port}`, ...s);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain(`authentication failed at redis://***@127.0.0.1:${redis.port}`);
    expect(wrong.err).not.toContain('nope');
    const missing = await run('worker', '--queue', redis.url, ...s);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('authentication failed');
    expect(missing.err).toContain('the server wants a password');
    // The password from the environment (kept off the command line) is used.
    const fromEnv = startCli(
      ['worker', '--queue', redis.url, ...s, '--idle-exit', '1', '--out', path.join(dir, 'w-env')],
      { FARZI_REDIS_PASSWORD: password },
    );
    expect(await fromEnv.exited).toBe(0);
    expect(fromEnv.output()).toContain(`worker: taking trials from ${redis.url}`);
  });

  it('never prints the password nor puts it on a command line', async () => {
    workspace.writeConfig('base.json', { name: 'gru4rec', hiddenSize: 8 });
    const sweep = path.join(dir, 'sweep.yaml');
    fs.writeFileSync(sweep, 'base: base.json\ngrid:\n  seed: [1]\n');
    const args = [
      'sweep',
      '--config',
      sweep,
      '--out',
      path.join(dir, 'out'),
      '--queue',
      `redis://:${password}@127.0.0.1:${redis.port}`,
      '--queue-name',
      `pw-${process.pid}`,
      '--queue-secret-file',
      secretFile,
      '--workers',
      '1',
    ];
    const coordinator = startCli(args);
    // While it runs, no other process has the password in its arguments (its own has: the user
    // put it there, which the README advises against).
    // (A child between fork and exec still shows its parent's command line: such copies of the
    // coordinator's own are not leaks.)
    const own = `${[process.execPath, path.join(__dirname, '..', 'bin', 'farzi.js'), ...args].join('\0')}\0`;
    const leaks = new Set<string>();
    let seen = '';
    const scan = setInterval(() => {
      for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (Number(pid) === coordinator.child.pid) {
            if (cmdline.includes('sweep')) seen = cmdline;
            continue;
          }
          if (cmdline.includes(password) && cmdline !== own) leaks.add(cmdline.replace(/\0/g, ' '));
        } catch {
          // gone
        }
      }
    }, 100);
    const code = await coordinator.exited;
    clearInterval(scan);
    expect(coordinator.output()).toContain('1 done, 0 failed of 1');
    expect(code).toBe(0);
    expect(coordinator.output()).not.toContain(password);
    expect([...leaks]).toEqual([]);
    expect(seen).toBe(own); // the copies told apart above are exactly the coordinator's own
  }, 120_000);
});

describeWithRedis('rediss:// (TLS) with a private CA', () => {
  const workspace = cliWorkspace('farzi-queue-tls-');
  const { dir } = workspace;
  const secretFile = path.join(dir, 'queue.secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const file = (name: string) => path.join(dir, name);
  let redis: RedisServer;

  beforeAll(async () => {
    // A CA and a server certificate for 127.0.0.1, made with openssl (.ci/run installs it).
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=farzi-test-ca',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=localhost',
    );
    fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.pem'),
      '-days',
      '2',
      '-extfile',
      file('san.ext'),
    );
    const port = await freePort();
    redis = await RedisServer.start(
      [
        '--tls-port',
        String(port),
        '--tls-cert-file',
        file('server.pem'),
        '--tls-key-file',
        file('server.key'),
        '--tls-ca-cert-file',
        file('ca.pem'),
        '--tls-auth-clients',
        'no',
      ],
      port,
    );
  });

  afterAll(async () => {
    await redis?.stop();
    workspace.cleanup();
  });

  it('connects with the CA given, and says what failed without it', async () => {
    const url = `rediss://127.0.0.1:${redis.port}`;
    const worker = startCli([
      'worker',
      '--queue',
      url,
      '--queue-ca-file',
      file('ca.pem'),
      '--queue-secret-file',
      secretFile,
      '--idle-exit',
      '1',
      '--out',
      file('w'),
    ]);
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain(`worker: taking trials from ${url}`);
    const untrusted = await run('worker', '--queue', url, '--queue-secret-file', secretFile);
    expect(untrusted.code).toBe(2);
    expect(untrusted.err).toContain(`TLS to ${url} failed`);
    expect(untrusted.err).toContain('--queue-ca-file');
  }, 60_000);
});
