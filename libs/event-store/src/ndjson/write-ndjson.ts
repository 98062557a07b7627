import type { Writable } from 'node:stream';

/**
 * Exports of the event log (audit API, CLI) as NDJSON: one JSON document per line.
 *
 * Writes each item as one JSON line, pulling the next batch only when `out` has room: memory holds
 * one batch, however long the history. Stops pulling (which closes the source) as soon as the
 * client goes away. Resolves false when the output closed before the end.
 */
export async function writeNdjson<T>(
  out: Writable,
  batches: AsyncIterable<readonly T[]>,
  toLine: (item: T) => unknown,
): Promise<boolean> {
  for await (const batch of batches) {
    if (out.destroyed) return false;
    const chunk = batch.map((item) => `${JSON.stringify(toLine(item))}\n`).join('');
    if (!out.write(chunk) && !(await drained(out))) return false;
  }
  return !out.destroyed;
}

function drained(out: Writable): Promise<boolean> {
  if (out.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (ok: boolean) => () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    out.once('drain', onDrain);
    out.once('close', onClose);
  });
}
