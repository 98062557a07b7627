import type { Readable } from 'node:stream';

/**
 * Turns an object-mode stream into batches of what is already buffered (at most `maxBatchSize`),
 * so a consumer that awaits each batch gets backpressure and still amortizes per-batch work.
 * Ends when the stream ends or is destroyed; rethrows the stream's error.
 */
export async function* readInBatches<Item>(source: Readable, maxBatchSize: number): AsyncGenerator<Item[]> {
  let ended = false;
  let failure: { readonly error: unknown } | undefined;
  let wakeUp: (() => void) | undefined;
  const wake = (): void => {
    const resolve = wakeUp;
    wakeUp = undefined;
    resolve?.();
  };
  const onEnd = (): void => {
    ended = true;
    wake();
  };
  const onError = (error: unknown): void => {
    failure ??= { error };
    wake();
  };
  source.on('readable', wake);
  source.on('end', onEnd);
  source.on('close', onEnd);
  source.on('error', onError);
  try {
    for (;;) {
      if (failure) throw failure.error;
      const batch: Item[] = [];
      while (batch.length < maxBatchSize) {
        const item: Item | null = source.read();
        if (item === null) break;
        batch.push(item);
      }
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      // destroy(error) marks the stream errored at once but emits 'error' a tick later.
      if (source.errored) throw source.errored;
      if (ended || source.destroyed || source.readableEnded) return;
      // Set in the same tick as the empty read: a later 'readable' or 'end' always finds it.
      await new Promise<void>((resolve) => (wakeUp = resolve));
    }
  } finally {
    source.off('readable', wake);
    source.off('end', onEnd);
    source.off('close', onEnd);
    // The error listener stays: an 'error' emitted after the consumer stopped must not crash the process.
  }
}
