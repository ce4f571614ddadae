import { isFarziError } from '@farzi/core';
import { backendMemoryError } from './memoryErrors';

describe('backend memory failures', () => {
  it('become one paragraph naming the settings to lower, per command', () => {
    const train = backendMemoryError('memory access out of bounds', 'train');
    expect(train && isFarziError(train)).toBe(true);
    expect(train?.message).toBe(
      'the compute backend ran out of memory (memory access out of bounds). Lower train.batchSize, eval.batchSize or data.maxLength.',
    );
    // The wasm runtime aborts when an allocation fails inside a kernel (PTB [258×36] distillation).
    const distill = backendMemoryError(
      'Aborted(). Build with -sASSERTIONS for more info.',
      'distill',
    );
    expect(distill?.message).toMatch(/^the compute backend ran out of memory \(Aborted\(\)/);
    expect(distill?.message).toContain('Lower distill.sequenceChunk');
  });

  it('leave other errors alone', () => {
    expect(
      backendMemoryError("Cannot read properties of undefined (reading 'shape')", 'train'),
    ).toBeUndefined();
    expect(
      backendMemoryError('the run was Aborted() by the user? no: not at the start', 'train'),
    ).toBeUndefined();
  });
});
