import { RunError } from '@farzi/core';

// What the wasm backends throw when their heap is exhausted: a failed allocation aborts the
// Emscripten runtime ("Aborted()") or surfaces as an out-of-bounds access or a failed allocation.
const MEMORY =
  /memory access out of bounds|out of memory|allocation failed|Invalid typed array length|^Aborted\(/i;

/** What to lower, per command: the settings that size the largest tensors it makes. */
const HINTS: Record<string, string> = {
  distill:
    'Lower distill.sequenceChunk (synthetic sequences per gradient and second-order product; 0 picks chunks of ~13M values, try a half of what it chose), distill.realBatchSize, distill.size or data.maxLength.',
};
const DEFAULT_HINT = 'Lower train.batchSize, eval.batchSize or data.maxLength.';

/** A user-facing error for a backend memory failure, or undefined when `message` is not one. */
export function backendMemoryError(message: string, command: string): RunError | undefined {
  if (!MEMORY.test(message)) return undefined;
  return new RunError(
    `the compute backend ran out of memory (${message}). ${HINTS[command] ?? DEFAULT_HINT}`,
  );
}
