import type { NewEvent } from './event-store.port';

/**
 * EventStoreDB's default `MaxAppendSize`: one append may carry at most 1 MiB of event data plus
 * metadata (larger appends are refused with `MaximumAppendSizeExceeded`). Writers that can produce
 * large changes (group memberships) split them to stay under it.
 */
export const MAX_APPEND_BYTES = 1_048_576;

/** What an append weighs against `MAX_APPEND_BYTES`: the UTF-8 JSON of every event's data and metadata. */
export function appendSize(events: readonly Pick<NewEvent, 'data' | 'metadata'>[]): number {
  let bytes = 0;
  for (const event of events) bytes += Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));
  return bytes;
}
