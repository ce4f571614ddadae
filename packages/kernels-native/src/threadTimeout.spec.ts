import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

// OpenBLAS's idle worker threads must go to sleep right after a product instead of spinning for
// ~0.1 s (nativeBlas sets OPENBLAS_THREAD_TIMEOUT before OpenBLAS loads). Observed from a fresh
// process loading the built package, as a user's would: after a two-threaded product, whether
// another thread stays runnable (/proc/self/task/*/stat) and the CPU burnt while the main thread
// sleeps.
const run =
  (process.env.FARZI_REQUIRE_NATIVE === '1' ||
    typeof require('./blas').nativeBlas() !== 'string') &&
  os.cpus().length >= 2;
const itRun = run ? it : it.skip;

const PROBE = `
const fs = require('fs');
const { nativeBlas } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'blas.js'))});
const blas = nativeBlas();
if (typeof blas === 'string') throw new Error(blas);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
// Whether a thread other than the main one is runnable (state R): a spinning worker is, even
// when a busy machine leaves it little CPU (it yields, and stays runnable).
const othersRunning = () =>
  fs.readdirSync('/proc/self/task').some((t) => {
    if (Number(t) === process.pid) return false;
    try {
      return fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8').replace(/^.*\\) /, '')[0] === 'R';
    } catch {
      return false;
    }
  });
const n = 512;
const heap = new Float32Array(3 * n * n).fill(1);
const one = Int32Array.of(0);
blas.sgemmBatched(heap.buffer, 0, 4 * n * n, 8 * n * n, n, n, n, false, false, one, one);
sleep(30);
let running = 0;
for (let i = 0; i < 20; i++) {
  if (othersRunning()) running++;
  sleep(4);
}
const before = process.cpuUsage();
sleep(100);
const used = process.cpuUsage(before);
console.log(JSON.stringify({ running: running / 20, ms: (used.user + used.system) / 1000, timeout: process.env.OPENBLAS_THREAD_TIMEOUT, threads: blas.threads() }));
`;

function probe(env: NodeJS.ProcessEnv): {
  running: number;
  ms: number;
  timeout: string;
  threads: number;
} {
  const r = spawnSync(process.execPath, ['-e', PROBE], {
    env: { ...env, OPENBLAS_NUM_THREADS: '2' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe('OpenBLAS worker threads', () => {
  itRun('sleep after a product unless the user set OPENBLAS_THREAD_TIMEOUT', () => {
    const env = { ...process.env };
    delete env.OPENBLAS_THREAD_TIMEOUT;
    const ours = probe(env);
    expect(ours.timeout).toBe('4');
    expect(ours.threads).toBe(2);
    // After the product: our worker sleeps (no other thread runnable, no CPU burnt while the main
    // thread sleeps 100 ms); with OpenBLAS's long timeout a worker stays runnable, spinning.
    expect(ours.running).toBeLessThan(0.3);
    expect(ours.ms).toBeLessThan(40);
    const spinning = probe({ ...env, OPENBLAS_THREAD_TIMEOUT: '30' });
    expect(spinning.timeout).toBe('30');
    expect(spinning.running).toBeGreaterThan(0.7);
  });
});
