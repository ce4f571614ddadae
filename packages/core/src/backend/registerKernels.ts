import * as tf from '@tensorflow/tfjs-core';
import { unsortedSegmentSumCpuConfig } from './cpu/UnsortedSegmentSum';
import { registerFastTransposedMatMul } from './fastTransposedMatMul';
import { sharedCastWasmConfig } from './wasm/Cast';
import { gatherWasmConfig } from './wasm/GatherV2';
import { sharedIdentityWasmConfig } from './wasm/Identity';
import { sliceWasmConfig } from './wasm/Slice';
import { leadingAxesSumWasmConfig } from './wasm/Sum';
import { unsortedSegmentSumWasmConfig } from './wasm/UnsortedSegmentSum';

// The project's kernels for the upstream backends, one file per kernel under ./wasm and ./cpu (as
// tfjs lays out a backend's kernels); this file registers them.

let registered = false;
let cpuRegistered = false;

/** Replaces the cpu backend's slow UnsortedSegmentSum (call once the cpu backend is registered). */
export function registerCpuKernels(): void {
  if (cpuRegistered) return;
  if (tf.getKernel(tf.UnsortedSegmentSum, 'cpu')) tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
  tf.registerKernel(unsortedSegmentSumCpuConfig);
  cpuRegistered = true;
}

/** Registers the project's extra wasm kernels once (call after the wasm backend is registered). */
export function registerWasmKernels(): void {
  if (registered) return;
  if (!tf.getKernel(tf.UnsortedSegmentSum, 'wasm')) tf.registerKernel(unsortedSegmentSumWasmConfig);
  const identity = tf.getKernel(tf.Identity, 'wasm');
  if (identity?.kernelFunc !== sharedIdentityWasmConfig.kernelFunc) {
    if (identity) tf.unregisterKernel(tf.Identity, 'wasm');
    tf.registerKernel(sharedIdentityWasmConfig);
  }
  const cast = tf.getKernel(tf.Cast, 'wasm');
  if (cast) {
    tf.unregisterKernel(tf.Cast, 'wasm');
    tf.registerKernel(sharedCastWasmConfig(cast));
  }
  const sum = tf.getKernel(tf.Sum, 'wasm');
  if (sum) {
    tf.unregisterKernel(tf.Sum, 'wasm');
    tf.registerKernel(leadingAxesSumWasmConfig(sum));
  }
  const slice = tf.getKernel(tf.Slice, 'wasm');
  if (slice) {
    tf.unregisterKernel(tf.Slice, 'wasm');
    tf.registerKernel(sliceWasmConfig(slice));
  }
  if (tf.getKernel(tf.GatherV2, 'wasm')) tf.unregisterKernel(tf.GatherV2, 'wasm');
  tf.registerKernel(gatherWasmConfig);
  registerFastTransposedMatMul();
  registered = true;
}
