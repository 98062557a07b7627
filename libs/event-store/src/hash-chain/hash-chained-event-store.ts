import { DelegatingEventStore } from '../delegating-event-store';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllMatchingOptions,
  type RecordedEvent,
} from '../event-store.port';
import { assertValidAppend, NO_STREAM_REVISION } from '../adapter-support';
import { CHAIN_METADATA_KEY, type ChainLink, eventHash, GENESIS_HASH, linkHashOf, withoutChain } from './event-hash';

export interface HashChainOptions {
  /** Streams whose last link is remembered, so most appends need no read (default 10,000). */
  readonly cacheSize?: number;
}

const DEFAULT_CACHE_SIZE = 10_000;

/** Where the new events attach: the revision and link hash of the event before them. */
interface Base {
  readonly revision: number;
  readonly hash: string;
}

/**
 * Decorates any event store with tamper evidence (docs/TAMPER-EVIDENCE.md): every appended event
 * gets `metadata.chain = { prev, hash }`, where `hash` covers the event and `prev` is the hash of the
 * stream's previous event (GENESIS_HASH for revision 0). Reads pass through unchanged (a stream's
 * read also tells the decorator its last link).
 *
 * Only exact expectations are accepted (a revision, or 'no_stream'): the links computed here must
 * attach to exactly the revision the append lands on. Every writer of the service appends with
 * the revision it decided on (handleCommand), so no append needs 'any'.
 */
export class HashChainedEventStore extends DelegatingEventStore {
  private readonly lastLinks = new Map<string, { readonly revision: number; readonly hash: string }>();
  /**
   * Streams in the order they entered the cache, a ring: the oldest is evicted in O(1). (Deleting a
   * Map's first key costs microseconds once many deletions lie at its front.)
   */
  private readonly arrivals: (string | undefined)[];
  private nextArrival = 0;
  private readonly cacheSize: number;

  constructor(
    inner: EventStore,
    options: HashChainOptions = {},
  ) {
    super(inner);
    this.cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.arrivals = new Array<string | undefined>(this.cacheSize);
  }

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    // Checked here too: a malformed expectation must not be turned into a valid exact one.
    assertValidAppend(streamId, events, expected);
    if (expected !== 'no_stream' && typeof expected !== 'number') {
      throw new TypeError(`Stream ${streamId}: the hash chain needs an exact expected revision, got '${expected}'`);
    }
    if (events.length === 0) return this.inner.append(streamId, events, expected);
    const base = expected === 'no_stream' ? { revision: NO_STREAM_REVISION, hash: GENESIS_HASH } : await this.baseAt(streamId, expected);
    const chained = this.link(streamId, events, base);
    const result = await this.inner.append(streamId, chained, expected);
    // An idempotent retry answers with the original append's revisions; only links computed for
    // exactly the revisions now in the stream may be remembered.
    if (result.nextExpectedRevision === base.revision + events.length) {
      const last = chained[chained.length - 1].metadata[CHAIN_METADATA_KEY] as ChainLink;
      this.remember(streamId, result.nextExpectedRevision, last.hash);
    }
    return result;
  }

  override async readStream(streamId: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    const events = await this.inner.readStream(streamId, options);
    // A command reads its stream before appending: remember the link it will attach to. A link at
    // a revision never changes, so even a stale entry is right for an append at that revision.
    const last = events[events.length - 1];
    if (last) this.remember(streamId, last.revision, linkHashOf(last));
    return events;
  }

  override readAllMatching(options: ReadAllMatchingOptions): AsyncIterable<readonly RecordedEvent[]> {
    return this.inner.readAllMatching(options);
  }

  private link(streamId: string, events: readonly NewEvent[], base: Base): NewEvent[] {
    let prev = base.hash;
    return events.map((event, index) => {
      const hash = eventHash({ id: event.id, type: event.type, data: event.data, metadata: event.metadata, streamId, revision: base.revision + 1 + index }, prev);
      const chained = { ...event, metadata: { ...withoutChain(event.metadata), [CHAIN_METADATA_KEY]: { prev, hash } } };
      prev = hash;
      return chained;
    });
  }

  private async baseAt(streamId: string, revision: number): Promise<Base> {
    for (;;) {
      const cached = this.lastLinks.get(streamId);
      if (cached?.revision === revision) return { revision, hash: cached.hash };
      const [event] = await this.inner.readStream(streamId, { fromRevision: revision });
      if (event?.revision === revision) return { revision, hash: linkHashOf(event) };
      // The stream has no such revision: an empty append reports the store's own mismatch error.
      // It can only pass if another writer reached that revision meanwhile; then look again.
      await this.inner.append(streamId, [], revision);
    }
  }

  private remember(streamId: string, revision: number, hash: string): void {
    if (this.cacheSize === 0) return;
    if (!this.lastLinks.has(streamId)) {
      const evicted = this.arrivals[this.nextArrival];
      if (evicted !== undefined) this.lastLinks.delete(evicted);
      this.arrivals[this.nextArrival] = streamId;
      this.nextArrival = (this.nextArrival + 1) % this.cacheSize;
    }
    this.lastLinks.set(streamId, { revision, hash });
  }
}
