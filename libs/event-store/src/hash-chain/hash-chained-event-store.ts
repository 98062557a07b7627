import { DelegatingEventStore } from '../delegating-event-store';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllMatchingOptions,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { assertValidAppend, NO_STREAM_REVISION } from '../adapter-support';
import { CHAIN_METADATA_KEY, type ChainLink, eventHash, GENESIS_HASH, linkHashOf, withoutChain } from './event-hash';

export interface HashChainOptions {
  /** Streams whose last link is remembered, so most appends need no read (default 10,000). */
  readonly cacheSize?: number;
  /** Fresh attempts when an 'any'/'stream_exists' append races another writer (default 5). */
  readonly maxAttempts?: number;
}

const DEFAULT_CACHE_SIZE = 10_000;
const DEFAULT_MAX_ATTEMPTS = 5;

/** Where the new events attach: the revision and link hash of the event before them. */
interface Base {
  readonly revision: number;
  readonly hash: string;
  /** The expectation passed to the wrapped store: always exact, so the links computed here hold. */
  readonly expected: number | 'no_stream';
}

/**
 * Decorates any event store with tamper evidence (docs/TAMPER-EVIDENCE.md): every appended event
 * gets `metadata.chain = { prev, hash }`, where `hash` covers the event and `prev` is the hash of the
 * stream's previous event (GENESIS_HASH for revision 0). Reads pass through unchanged (a stream's
 * read also tells the decorator its last link).
 *
 * The revisions of the new events follow from the expected revision. 'any' and 'stream_exists'
 * are turned into the exact revision read just before, so a concurrent append can never slip in
 * between and break the chain; such a race is retried a few times.
 */
export class HashChainedEventStore extends DelegatingEventStore {
  private readonly lastLinks = new Map<string, { readonly revision: number; readonly hash: string }>();
  /**
   * Streams in the order they entered the cache, a ring: the oldest is evicted in O(1). (Deleting a
   * Map's first key costs microseconds once many deletions lie at its front.)
   */
  private readonly arrivals: (string | undefined)[];
  private nextArrival = 0;
  /** Per stream, the last 'any'/'stream_exists' append queued in this process. */
  private readonly inexactTails = new Map<string, Promise<unknown>>();
  private readonly cacheSize: number;
  private readonly maxAttempts: number;

  constructor(
    inner: EventStore,
    options: HashChainOptions = {},
  ) {
    super(inner);
    this.cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.arrivals = new Array<string | undefined>(this.cacheSize);
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  override append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      // Checked here too: a malformed expectation must not be turned into a valid exact one.
      assertValidAppend(streamId, events, expected);
    } catch (error) {
      return Promise.reject(error);
    }
    if (events.length === 0) return this.inner.append(streamId, events, expected);
    if (expected === 'no_stream' || typeof expected === 'number') return this.appendChained(streamId, events, expected);
    // Inexact appends to one stream would all read the same last revision and all but one lose the
    // race; queued here they never race each other, only writers in other processes.
    return this.queued(streamId, () => this.appendChained(streamId, events, expected));
  }

  private async appendChained(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const exact = expected === 'no_stream' || typeof expected === 'number';
    for (let attempt = 1; ; attempt++) {
      const base = await this.baseFor(streamId, events, expected);
      const chained = this.link(streamId, events, base);
      let result: AppendResult;
      try {
        result = await this.inner.append(streamId, chained, base.expected);
      } catch (error) {
        if (exact || !(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= this.maxAttempts) throw new WrongExpectedRevisionError(streamId, expected, error.actual);
        continue;
      }
      // An idempotent retry answers with the original append's revisions; only links computed for
      // exactly the revisions now in the stream may be remembered.
      if (result.nextExpectedRevision === base.revision + events.length) {
        const last = chained[chained.length - 1].metadata[CHAIN_METADATA_KEY] as ChainLink;
        this.remember(streamId, result.nextExpectedRevision, last.hash);
      }
      return result;
    }
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

  private queued<T>(streamId: string, run: () => Promise<T>): Promise<T> {
    const previous = this.inexactTails.get(streamId) ?? Promise.resolve();
    const result = previous.then(run);
    const tail = result.catch(() => undefined);
    this.inexactTails.set(streamId, tail);
    void tail.then(() => {
      if (this.inexactTails.get(streamId) === tail) this.inexactTails.delete(streamId);
    });
    return result;
  }

  private link(streamId: string, events: readonly NewEvent[], base: Base): NewEvent[] {
    let prev = base.hash;
    return events.map((event, index) => {
      const metadata = withoutChain(event.metadata);
      const hash = eventHash({ ...event, streamId, revision: base.revision + 1 + index, metadata }, prev);
      const chained = { ...event, metadata: { ...metadata, [CHAIN_METADATA_KEY]: { prev, hash } } };
      prev = hash;
      return chained;
    });
  }

  private async baseFor(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<Base> {
    if (expected === 'no_stream') return { revision: NO_STREAM_REVISION, hash: GENESIS_HASH, expected };
    if (typeof expected === 'number') return this.baseAt(streamId, expected);
    return this.baseAtEnd(streamId, events, expected);
  }

  private async baseAt(streamId: string, revision: number): Promise<Base> {
    for (;;) {
      const cached = this.lastLinks.get(streamId);
      if (cached?.revision === revision) return { revision, hash: cached.hash, expected: revision };
      const [event] = await this.inner.readStream(streamId, { fromRevision: revision });
      if (event?.revision === revision) return { revision, hash: linkHashOf(event), expected: revision };
      // The stream has no such revision: an empty append reports the store's own mismatch error.
      // It can only pass if another writer reached that revision meanwhile; then look again.
      await this.inner.append(streamId, [], revision);
    }
  }

  private async baseAtEnd(streamId: string, events: readonly NewEvent[], expected: 'any' | 'stream_exists'): Promise<Base> {
    const revision = await this.inner.streamRevision(streamId);
    if (revision === NO_STREAM_REVISION) {
      if (expected === 'stream_exists') await this.inner.append(streamId, [], expected);
      return { revision: NO_STREAM_REVISION, hash: GENESIS_HASH, expected: 'no_stream' };
    }
    // The last events plus the one before them: enough to recognise a retry of this very append.
    const tail = await this.inner.readStream(streamId, { fromRevision: Math.max(0, revision - events.length) });
    const last = tail[tail.length - 1];
    if (!last) return this.baseAtEnd(streamId, events, expected);
    const retried = tail.slice(-events.length);
    if (retried.length === events.length && retried.every((recorded, index) => recorded.id === events[index].id)) {
      // A retry of an append that committed: the same base gives the same links, and the wrapped
      // store answers with the original result.
      const before = tail[tail.length - events.length - 1];
      return before
        ? { revision: before.revision, hash: linkHashOf(before), expected: before.revision }
        : { revision: NO_STREAM_REVISION, hash: GENESIS_HASH, expected: 'no_stream' };
    }
    return { revision: last.revision, hash: linkHashOf(last), expected: last.revision };
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
