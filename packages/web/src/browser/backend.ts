import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerCpuKernels, registerGradients, registerWasmKernels, UserError } from '@farzi/core';

// The page's compute backend: WebGPU where the browser has it, else WebGL, else wasm (the
// TensorFlow.js backends; wasm and cpu get the project's kernels, as in Node).

export const BROWSER_BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export interface ActiveBackend {
  readonly name: Exclude<BrowserBackend, 'auto'>;
  /** Why the faster ones were skipped (for `auto`). */
  readonly skipped: string[];
}

/** Activates a backend; `wasmPath` is where the tfjs-backend-wasm binaries are served. */
export async function activateBackend(
  requested: BrowserBackend,
  wasmPath: string,
): Promise<ActiveBackend> {
  if (!BROWSER_BACKENDS.includes(requested))
    throw new UserError(
      `backend: "${String(requested).slice(0, 20)}" is not one of ${BROWSER_BACKENDS.join(', ')}.`,
    );
  registerGradients();
  setWasmPaths(wasmPath);
  const order: ActiveBackend['name'][] =
    requested === 'auto' ? ['webgpu', 'webgl', 'wasm', 'cpu'] : [requested];
  const skipped: string[] = [];
  for (const name of order) {
    if (name === 'webgpu' && !('gpu' in navigator)) {
      skipped.push('webgpu: this browser has no WebGPU');
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === 'wasm') registerWasmKernels();
        if (name === 'cpu') registerCpuKernels();
        return { name, skipped };
      }
      skipped.push(`${name}: not available here`);
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new UserError(`no TensorFlow.js backend could start (${skipped.join('; ')}).`);
}
