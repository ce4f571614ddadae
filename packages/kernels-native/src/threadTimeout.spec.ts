import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

// OpenBLAS's idle worker threads must go to sleep right after a product instead of spinning for
// ~0.1 s (nativeBlas sets OPENBLAS_THREAD_TIMEOUT before OpenBLAS loads). Measured from a fresh
// process loading the built package, as a user's would: the CPU time the process burns while its main thread sleeps
// 200 ms after a two-threaded product.
const run =
  (process.env.FARZI_REQUIRE_NATIVE === '1' ||
    typeof require('./blas').nativeBlas() !== 'string') &&
  os.cpus().length >= 2;
const itRun = run ? it : it.skip;

const PROBE = `
const { nativeBlas } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'blas.js'))});
const blas = nativeBlas();
if (typeof blas === 'string') throw new Error(blas);
const n = 512;
const heap = new Float32Array(3 * n * n).fill(1);
const one = Int32Array.of(0);
blas.sgemmBatched(heap.buffer, 0, 4 * n * n, 8 * n * n, n, n, n, false, false, one, one);
const before = process.cpuUsage();
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
const used = process.cpuUsage(before);
console.log(JSON.stringify({ ms: (used.user + used.system) / 1000, timeout: process.env.OPENBLAS_THREAD_TIMEOUT, threads: blas.threads() }));
`;

function probe(env: NodeJS.ProcessEnv): { ms: number; timeout: string; threads: number } {
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
    // The main thread sleeps 200 ms; a worker spinning through them burns ~200 ms.
    const spinning = probe({ ...env, OPENBLAS_THREAD_TIMEOUT: '30' });
    expect(spinning.timeout).toBe('30');
    expect(ours.ms).toBeLessThan(40);
    expect(spinning.ms).toBeGreaterThan(ours.ms + 50);
  });
});
