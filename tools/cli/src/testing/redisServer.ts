import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

// Tests against a real Redis (Debian's redis-server; .ci/run installs it and sets
// FARZI_REQUIRE_REDIS so that a missing server fails instead of skipping).
export const redisServerBinary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(
  (p) => fs.existsSync(p),
);
if (!redisServerBinary && process.env.FARZI_REQUIRE_REDIS) {
  throw new Error(
    'FARZI_REQUIRE_REDIS is set but redis-server is not installed (apt-get install redis-server).',
  );
}
export const describeWithRedis = redisServerBinary ? describe : describe.skip;

const cli = path.join(__dirname, '..', '..', 'bin', 'farzi.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function until(condition: () => boolean, what: string, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A redis-server on a free loopback port (no persistence); `extra` adds its flags. */
export class RedisServer {
  child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly extra: string[],
  ) {}

  static async start(extra: string[] = [], port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), extra);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again: a restart without persistence loses every queued job). */
  async restart(): Promise<void> {
    const tls = this.extra.includes('--tls-port');
    this.child = spawn(
      redisServerBinary as string,
      [
        ...(tls ? ['--port', '0'] : ['--port', String(this.port)]),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...this.extra,
      ],
      { stdio: 'ignore' },
    );
    // Listening once a connection is accepted (the server's answer is not needed).
    let open = false;
    await until(
      () => {
        const socket = net.connect(this.port, '127.0.0.1');
        socket.on('connect', () => {
          open = true;
          socket.destroy();
        });
        socket.on('error', () => socket.destroy());
        return open;
      },
      'redis-server to listen',
      20,
    );
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The compiled CLI in its own process, as on a fleet; `env` is added to this process's. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}
