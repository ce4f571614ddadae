import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './selectBackend';

// A stand-in for @tensorflow/tfjs-node-gpu (which cannot be installed here): it registers a
// "tensorflow" backend whose binding reports whether TensorFlow sees a GPU, as the real one does.
const device = { gpu: false };
jest.mock(
  '@tensorflow/tfjs-node-gpu',
  () => {
    const tfjs = jest.requireActual('@tensorflow/tfjs-core');
    const { MathBackendCPU } = jest.requireActual('@tensorflow/tfjs-backend-cpu');
    tfjs.registerBackend('tensorflow', () =>
      Object.assign(new MathBackendCPU(), { binding: { isUsingGpuDevice: () => device.gpu } }),
    );
    return {};
  },
  { virtual: true },
);

describe('backend auto and the GPU', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('skips tensorflow-gpu when TensorFlow reports no GPU device, saying so, and uses its CPU kernels', async () => {
    device.gpu = false;
    const chosen = await selectBackend('auto');
    expect(chosen.name).toBe('tensorflow');
    expect(chosen.skipped[0]).toBe(
      'tensorflow-gpu: @tensorflow/tfjs-node-gpu loaded, but TensorFlow reports no GPU device (no CUDA GPU visible)',
    );
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(
      /backend: "tensorflow-gpu" is not available here \(@tensorflow\/tfjs-node-gpu loaded, but TensorFlow reports no GPU device/,
    );
  });

  it('picks tensorflow-gpu when a GPU device is reported', async () => {
    device.gpu = true;
    const chosen = await selectBackend('auto');
    expect(chosen.name).toBe('tensorflow-gpu');
    expect(chosen.skipped).toEqual([]);
  });
});
