import { DelegatingEventStore, type EventStore, type ReadAllMatchingOptions, type RecordedEvent } from '@scim/event-store';
import { matchesStreamPrefixes, normalizeReadAllOptions } from '@scim/event-store/adapter-support';
import { ACCOUNT_LOG, accountLogProjection, type AccountLogEntry } from './projections/account-log.projection';
import type { ReadStore } from './read-store.port';

/** Streams read at once when a page of the index is turned into events. */
const PARALLEL_STREAM_READS = 8;

/**
 * Answers an account's history (`readAllMatching({ metadata: { accountId } })`) from the
 * `account-log` index in the read store instead of the whole log: the index's entries up to its
 * checkpoint, each event read from its stream, then the log itself past the checkpoint (what the
 * projector has not indexed yet). The same events in the same order as the wrapped store's answer,
 * in batches of at most `batchSize`; any other filter goes to the wrapped store.
 */
export class AccountIndexedEventStore extends DelegatingEventStore {
  constructor(
    inner: EventStore,
    private readonly readStore: ReadStore,
  ) {
    super(inner);
  }

  override async *readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    const keys = Object.keys(options.metadata);
    const accountId = options.metadata.accountId;
    if (keys.length !== 1 || typeof accountId !== 'string') {
      yield* this.inner.readAllMatching(options);
      return;
    }
    const { fromPosition, toPosition, streamPrefixes, batchSize } = normalizeReadAllOptions(options);
    const indexedTo = await this.readStore.checkpoint(accountLogProjection.name);
    const upper = Math.min(toPosition, indexedTo);
    let cursor = fromPosition;
    while (cursor < upper) {
      const entries = await this.readStore.find<AccountLogEntry>(
        ACCOUNT_LOG,
        { accountId, position: { $gt: cursor, $lte: upper } },
        { sort: [['position', 1]], limit: batchSize },
      );
      if (entries.length === 0) break;
      cursor = entries[entries.length - 1].position;
      const events = await this.eventsAt(entries.filter((entry) => matchesStreamPrefixes(entry.streamId, streamPrefixes)));
      if (events.length > 0) yield events;
      if (entries.length < batchSize) break;
    }
    if (toPosition <= indexedTo) return;
    // The tail is read from the checkpoint, a position the log gave, never from the caller's: callers
    // compute positions (windows, `p - 1`), and EventStoreDB refuses a byte position between events.
    for await (const batch of this.inner.readAllMatching({ ...options, fromPosition: indexedTo })) {
      const after = batch[0].position > fromPosition ? batch : batch.filter((event) => event.position > fromPosition);
      if (after.length > 0) yield after;
    }
  }

  /** The entries' events in position order, each stream's consecutive revisions in one read. */
  private async eventsAt(entries: readonly AccountLogEntry[]): Promise<RecordedEvent[]> {
    const runs: AccountLogEntry[][] = [];
    const openRun = new Map<string, AccountLogEntry[]>();
    for (const entry of [...entries].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : a.revision - b.revision))) {
      const run = openRun.get(entry.streamId);
      if (run && run[run.length - 1].revision + 1 === entry.revision) run.push(entry);
      else {
        const started = [entry];
        runs.push(started);
        openRun.set(entry.streamId, started);
      }
    }
    const found: RecordedEvent[] = [];
    for (let index = 0; index < runs.length; index += PARALLEL_STREAM_READS) {
      const reads = runs.slice(index, index + PARALLEL_STREAM_READS).map(async (run) => {
        const read = await this.inner.readStream(run[0].streamId, { fromRevision: run[0].revision, maxCount: run.length });
        // An event no longer at its place (a deleted stream) is left out, as a read of the log leaves it out.
        return read.filter((event, at) => event.id === run[at]?._id);
      });
      for (const events of await Promise.all(reads)) found.push(...events);
    }
    return found.sort((a, b) => a.position - b.position);
  }
}
