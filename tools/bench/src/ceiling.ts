import * as tf from '@tensorflow/tfjs-core';
import { median } from './profiling';

/*
 * The kernel ceiling: GFLOP/s of a large square matmul and of the models' hot matmul shapes, the
 * upper bound on what training can reach on a backend (part of the speed benchmark, throughput.ts).
 */

interface MatmulCase {
  readonly label: string;
  readonly a: [number, number];
  readonly b: [number, number];
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

function matmulCases(smoke: boolean): MatmulCase[] {
  const n = smoke ? 256 : 1024;
  const rows = smoke ? 640 : 6400;
  return [
    { label: `square ${n}`, a: [n, n], b: [n, n], transposeA: false, transposeB: false },
    {
      label: `SASRec logits X·Eᵀ [${rows}×50]·[1683×50]ᵀ`,
      a: [rows, 50],
      b: [1683, 50],
      transposeA: false,
      transposeB: true,
    },
    {
      label: `SASRec dE = Gᵀ·X [${rows}×1683]ᵀ·[${rows}×50]`,
      a: [rows, 1683],
      b: [rows, 50],
      transposeA: true,
      transposeB: false,
    },
    {
      label: `Transformer logits [${smoke ? 112 : 1120}×128]·[10001×128]ᵀ`,
      a: [smoke ? 112 : 1120, 128],
      b: [10001, 128],
      transposeA: false,
      transposeB: true,
    },
  ];
}

export interface MatmulRow {
  backend: string;
  command: string;
  shape: string;
  gflop: number;
  ms: number;
  gflops: number;
}

export function kernelCeiling(backend: string, smoke: boolean, command = ''): MatmulRow[] {
  const rows: MatmulRow[] = [];
  for (const c of matmulCases(smoke)) {
    const a = tf.randomNormal(c.a, 0, 1, 'float32', 1);
    const b = tf.randomNormal(c.b, 0, 1, 'float32', 2);
    const m = c.transposeA ? c.a[1] : c.a[0];
    const k = c.transposeA ? c.a[0] : c.a[1];
    const n = c.transposeB ? c.b[0] : c.b[1];
    const flop = 2 * m * k * n;
    const times: number[] = [];
    for (let r = 0; r < (smoke ? 2 : 4); r++) {
      // The benchmark's backends (cpu, wasm, wasm-native, tensorflow) run a kernel to completion
      // before the op returns, so the product alone is timed. Reading the output back (dataSync)
      // copies it out of the backend's memory: for the [6400 × 1683] logits, 43 MB — more than
      // the product itself took, and never done in training (issue 36's "slow path" was that).
      const t0 = performance.now();
      const y = tf.matMul(a, b, c.transposeA, c.transposeB);
      times.push(performance.now() - t0);
      y.dispose();
    }
    tf.dispose([a, b]);
    const ms = median(times.slice(1));
    rows.push({ backend, command, shape: c.label, gflop: flop / 1e9, ms, gflops: flop / 1e6 / ms });
  }
  return rows;
}
