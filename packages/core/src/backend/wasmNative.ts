import * as tf from '@tensorflow/tfjs-core';
import type { NativeKernels } from '@farzi/kernels-native';
import { setFusedKernelNames } from './fusedKernels';

export { backendHasKernels, fusedKernelNames } from './fusedKernels';

/*
 * `wasm-native`: the wasm backend with OpenBLAS matmul kernels from the optional
 * @farzi/kernels-native addon. Both backends are TensorFlow.js's `wasm`; switching between them
 * swaps the kernels registered for it and restores the previous ones.
 */

let native: NativeKernels | string | undefined;
let nativeModule: typeof import('@farzi/kernels-native') | string | undefined;
const replaced = new Map<string, tf.KernelConfig | undefined>();

function loadModule(): typeof import('@farzi/kernels-native') | string {
  if (nativeModule !== undefined) return nativeModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    nativeModule = require('@farzi/kernels-native') as typeof import('@farzi/kernels-native');
  } catch (error) {
    nativeModule = `@farzi/kernels-native did not load (${(error as Error).message.split('\n')[0]})`;
  }
  return nativeModule;
}

function load(): NativeKernels | string {
  if (native !== undefined) return native;
  const module = loadModule();
  native =
    typeof module === 'string'
      ? module
      : module.loadNativeKernels((name) => replaced.get(name)?.kernelFunc);
  return native;
}

// The fused kernels' names come from the kernel package when it loads (`fusedKernels.ts` asks here).
setFusedKernelNames(() => {
  const module = loadModule();
  return typeof module === 'string' ? undefined : module.FUSED_KERNELS;
});

/** Whether the native kernels can be used here, without activating them. */
export function nativeKernelsAvailable(): boolean {
  return typeof load() !== 'string';
}

/** The one-line description of the native kernels, when loaded. */
export function nativeDescription(): string | undefined {
  const n = load();
  return typeof n === 'string' ? undefined : n.description;
}

/**
 * Registers (`on`) or removes the native kernels for the wasm backend. Returns why they cannot be
 * used, or undefined. Call after the wasm backend's own kernels are registered.
 */
export function useNativeKernels(on: boolean): string | undefined {
  if (!on) {
    for (const [name, previous] of replaced) {
      tf.unregisterKernel(name, 'wasm');
      if (previous) tf.registerKernel(previous);
    }
    replaced.clear();
    return undefined;
  }
  const n = load();
  if (typeof n === 'string') return n;
  if (replaced.size) return undefined;
  for (const kernel of n.kernels) {
    const previous = tf.getKernel(kernel.kernelName, 'wasm');
    replaced.set(kernel.kernelName, previous);
    if (previous) tf.unregisterKernel(kernel.kernelName, 'wasm');
    // The native kernels hand other dtypes and shapes to the previous kernel: keep its setupFunc
    // (the wasm function bindings, run when the backend initialises after this registration).
    tf.registerKernel({ ...kernel, setupFunc: kernel.setupFunc ?? previous?.setupFunc });
  }
  return undefined;
}

/**
 * The embedded backends that run on this machine: cpu, wasm, and wasm-native when its addon loads
 * (tests run on each). With FARZI_REQUIRE_NATIVE=1 (as in CI) wasm-native is always listed, so a
 * missing addon fails the tests instead of skipping them.
 */
export function availableEmbeddedBackends(): Array<'cpu' | 'wasm' | 'wasm-native'> {
  const required = process.env.FARZI_REQUIRE_NATIVE === '1';
  return required || nativeKernelsAvailable() ? ['cpu', 'wasm', 'wasm-native'] : ['cpu', 'wasm'];
}

/**
 * The OpenBLAS settings the native kernels apply to this process's environment when it does not
 * name them (e.g. `OPENBLAS_THREAD_TIMEOUT`), and `env` without the ones they added: what a child
 * process — a baseline in another framework — would have seen had they not loaded. Empty and a
 * plain copy when the kernel package is not installed.
 */
export function nativeEnvironment(env: NodeJS.ProcessEnv = process.env): {
  readonly defaults: Readonly<Record<string, string>>;
  readonly userEnvironment: NodeJS.ProcessEnv;
} {
  const module = loadModule();
  return typeof module === 'string'
    ? { defaults: {}, userEnvironment: { ...env } }
    : { defaults: module.OPENBLAS_DEFAULTS, userEnvironment: module.userEnvironment(env) };
}
