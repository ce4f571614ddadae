/**
 * Returns a function that lets timers, signals and I/O (IPC, a queue's lock renewal) run, at most
 * once per `intervalMs` of compute: long synchronous training otherwise starves the event loop.
 */
export function eventLoopYielder(intervalMs = 200): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < intervalMs) return;
    await new Promise<void>((resolve) =>
      // setImmediate in Node (after pending I/O); a zero timeout in a browser, which has none.
      typeof globalThis.setImmediate === 'function'
        ? globalThis.setImmediate(resolve)
        : setTimeout(resolve, 0),
    );
    last = Date.now();
  };
}
