import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors/FarziError';
import { nativeDescription, useNativeKernels } from './wasmNative';
import { registerGradients } from './gradients/registerGradients';
import { registerCpuKernels, registerWasmKernels } from './registerKernels';

export const BACKEND_NAMES = [
  'auto',
  'tensorflow-gpu',
  'tensorflow',
  'wasm-native',
  'wasm',
  'cpu',
] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface SelectedBackend {
  /** What the config asked for. */
  readonly requested: BackendName;
  /** What runs: one of the concrete names. */
  readonly name: Exclude<BackendName, 'auto'>;
  /** The TensorFlow.js backend id (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string;
  /** Accelerations in use, e.g. "OpenBLAS 0.3.21, 2 threads" for `wasm-native`. */
  readonly detail?: string;
  /** Why faster choices were skipped (for `auto`). */
  readonly skipped: string[];
}

type Concrete = Exclude<BackendName, 'auto'>;

const INSTALL_HINT: Record<Concrete, string> = {
  'tensorflow-gpu':
    'install it with `npm install @tensorflow/tfjs-node-gpu` on a Linux machine with CUDA 11.2 and cuDNN 8.1 ' +
    '(its install downloads libtensorflow from storage.googleapis.com, so it needs that host reachable)',
  tensorflow:
    'install it with `npm install @tensorflow/tfjs-node` (its install downloads libtensorflow from ' +
    'storage.googleapis.com, so it needs that host reachable)',
  'wasm-native':
    'it needs OpenBLAS and a C toolchain when the project is installed (on Debian/Ubuntu: ' +
    '`apt-get install libopenblas-dev build-essential python3`, then `npm rebuild @farzi/kernels-native`)',
  wasm: 'reinstall the project dependencies with `npm ci` (it ships @tensorflow/tfjs-backend-wasm)',
  cpu: 'the cpu backend is @tensorflow/tfjs-backend-cpu, a dependency of @farzi/core; reinstall with `npm ci`',
};

const AUTO_ORDER: Concrete[] = ['tensorflow-gpu', 'tensorflow', 'wasm-native', 'wasm', 'cpu'];

/**
 * Loads and activates a compute backend. `auto` tries the native TensorFlow backends first (they
 * are optional dependencies that may be absent), then wasm, then the plain JS cpu backend, and
 * reports which one runs. Asking for a backend that cannot load raises a `UserError` saying how to
 * install it.
 */
export async function selectBackend(requested: BackendName): Promise<SelectedBackend> {
  registerGradients();
  if (requested !== 'auto') {
    const failure = await tryActivate(requested);
    if (failure) {
      throw new UserError(
        `backend: "${requested}" is not available here (${failure}); ${INSTALL_HINT[requested]}, ` +
          'or set backend to "wasm" (the embedded default) or "auto".',
      );
    }
    return {
      requested,
      name: requested,
      tfBackend: tf.getBackend(),
      skipped: [],
      detail: detail(requested),
    };
  }
  const skipped: string[] = [];
  for (const candidate of AUTO_ORDER) {
    const failure = await tryActivate(candidate);
    if (!failure) {
      return {
        requested,
        name: candidate,
        tfBackend: tf.getBackend(),
        skipped,
        detail: detail(candidate),
      };
    }
    skipped.push(`${candidate}: ${failure}`);
  }
  throw new UserError(`backend: no compute backend could be loaded (${skipped.join('; ')}).`);
}

/** Activates one backend; returns why it failed, or undefined on success. */
async function tryActivate(name: Concrete): Promise<string | undefined> {
  try {
    switch (name) {
      case 'tensorflow-gpu': {
        loadOptional('@tensorflow/tfjs-node-gpu');
        gpuPackageLoaded = true;
        if (!(await tf.setBackend('tensorflow'))) return 'the tensorflow backend did not start';
        // The GPU build runs on the CPU when TensorFlow sees no GPU: only a reported device counts.
        const device = gpuDevice();
        if (device !== true) {
          return device === false
            ? '@tensorflow/tfjs-node-gpu loaded, but TensorFlow reports no GPU device (no CUDA GPU visible)'
            : '@tensorflow/tfjs-node-gpu loaded, but it cannot tell whether TensorFlow sees a GPU';
        }
        return undefined;
      }
      case 'tensorflow':
        // The GPU package, when it loaded without a GPU, provides the same CPU kernels.
        if (!(gpuPackageLoaded && tf.findBackendFactory('tensorflow'))) {
          loadOptional('@tensorflow/tfjs-node');
        }
        return (await tf.setBackend('tensorflow'))
          ? undefined
          : 'the tensorflow backend did not start';
      case 'wasm-native': {
        loadOptional('@tensorflow/tfjs-backend-wasm');
        registerWasmKernels();
        const failure = useNativeKernels(true);
        if (failure) return failure;
        return (await tf.setBackend('wasm')) ? undefined : 'the wasm backend did not start';
      }
      case 'wasm':
        loadOptional('@tensorflow/tfjs-backend-wasm');
        registerWasmKernels();
        useNativeKernels(false);
        return (await tf.setBackend('wasm')) ? undefined : 'the wasm backend did not start';
      case 'cpu':
        registerCpuKernels();
        return (await tf.setBackend('cpu')) ? undefined : 'the cpu backend did not start';
    }
  } catch (error) {
    return firstLine((error as Error).message);
  }
}

let gpuPackageLoaded = false;

/** Whether the active tensorflow backend runs on a GPU (its binding says), or undefined if unknown. */
function gpuDevice(): boolean | undefined {
  const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } })
    .binding;
  return typeof binding?.isUsingGpuDevice === 'function' ? binding.isUsingGpuDevice() : undefined;
}

function loadOptional(moduleName: string): void {
  try {
    // A plain require: these packages are optional and may be missing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(moduleName);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND') throw new Error(`${moduleName} is not installed`);
    throw new Error(`${moduleName} failed to load: ${firstLine((error as Error).message)}`);
  }
}

function detail(name: Concrete): string | undefined {
  return name === 'wasm-native' ? nativeDescription() : undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
