import type { EventStore, RecordedEvent } from '../event-store.port';
import { chainLinkOf, eventHash, GENESIS_HASH, linkHashOf } from './event-hash';
import { RangeDigest, SEAL_STREAM, type SealData, sealDataOf } from './seal';

export type ChainProblemKind =
  /** The event's content no longer gives the hash recorded with it. */
  | 'content-changed'
  /** The event's `prev` is not the hash of the stream's previous event. */
  | 'chain-broken'
  /** Revisions are missing before this event in its stream. */
  | 'revision-gap'
  /** The event comes after a later revision of its stream. */
  | 'out-of-order'
  /** The event carries no (well-formed) `metadata.chain`. */
  | 'unchained'
  /** Global positions are missing before this event (adapters with gapless positions only). */
  | 'position-gap'
  /** The highest position ever assigned is beyond the last event: the log lost its tail. */
  | 'tail-missing'
  /** A seal is malformed or does not continue the previous one. */
  | 'seal-invalid'
  /** The events of a sealed range are not the ones the seal recorded. */
  | 'seal-mismatch'
  /** A hash recorded earlier by an auditor (an anchor) is no longer in the log. */
  | 'anchor-missing';

export interface ChainProblemEvent {
  readonly position: number;
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
}

export interface ChainProblem {
  readonly kind: ChainProblemKind;
  /** Where in the log it shows: the bad event's position, or the first missing one. */
  readonly position?: number;
  /** The event found bad (absent when the problem is missing events or a whole range). */
  readonly event?: ChainProblemEvent;
  readonly reason: string;
}

export interface VerifyChainOptions {
  /** Event hashes recorded earlier (e.g. the last seal's): each must still be in the log. */
  readonly anchors?: readonly string[];
  readonly sealStream?: string;
  readonly batchSize?: number;
  /** Problems listed at most (all are counted); default 100. */
  readonly maxProblems?: number;
  readonly onProgress?: (progress: { readonly events: number; readonly position: number; readonly head: number }) => void;
}

export interface ChainVerification {
  readonly ok: boolean;
  /** The first bad event (or missing range) in log order. */
  readonly firstProblem?: ChainProblem;
  /** In log order, at most `maxProblems`. */
  readonly problems: readonly ChainProblem[];
  readonly problemCount: number;
  readonly events: number;
  readonly streams: number;
  readonly headPosition: number;
  /** Whether missing positions could be checked (SQLite: yes; EventStoreDB: positions are sparse). */
  readonly positionsChecked: boolean;
  readonly seals: {
    readonly count: number;
    /** Every event up to this position is covered by a seal. */
    readonly sealedThrough: number;
    /** Events after the last seal: protected by their stream's chain only. */
    readonly unsealedEvents: number;
    /** The hash to record outside the machine and pass as an anchor next time. */
    readonly last?: { readonly position: number; readonly hash: string; readonly toPosition: number };
  };
  readonly seconds: number;
}

/**
 * An adapter whose positions are 1, 2, 3… and never reused (SQLite AUTOINCREMENT): a missing
 * number is a deleted event.
 */
export interface GaplessPositions {
  /** The highest position ever assigned, even to an event since removed. */
  highestAssignedPosition(): Promise<number>;
}

function hasGaplessPositions(store: EventStore): store is EventStore & GaplessPositions {
  return typeof (store as Partial<GaplessPositions>).highestAssignedPosition === 'function';
}

interface StreamHead {
  readonly revision: number;
  readonly hash: string;
  readonly position: number;
}

interface SealedRange extends SealData {
  readonly sealPosition: number;
  readonly sealRevision: number;
  readonly sealHash: string;
}

const MAX_KEPT_PROBLEMS = 10_000;

/**
 * Walks the whole log in commit order and checks every stream's hash chain, the seals and (where
 * the adapter allows) that no position is missing. Read-only; pass the adapter itself, not the
 * decorator. Memory: one entry per stream, not per event or per seal. The log is checked as it was
 * when the walk began: events appended meanwhile (the service may be running) are left for the
 * next run.
 */
export async function verifyChain(store: EventStore, options: VerifyChainOptions = {}): Promise<ChainVerification> {
  const startedAt = performance.now();
  const sealStream = options.sealStream ?? SEAL_STREAM;
  const maxProblems = options.maxProblems ?? 100;
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (problem: ChainProblem): void => {
    problemCount++;
    if (problems.length < MAX_KEPT_PROBLEMS) problems.push(problem);
  };

  // The highest position ever assigned first, then the head: read in this order, a commit landing
  // in between can only raise the head, never make intact positions look deleted.
  const gapless = hasGaplessPositions(store);
  const highestAssigned = gapless ? await store.highestAssignedPosition() : 0;
  const head = await store.headPosition();
  const seals = new SealCursor(store, sealStream, head, report);
  const anchors = new Set(options.anchors ?? []);
  const streams = new Map<string, StreamHead>();
  let range = await seals.next();
  let digest = new RangeDigest();
  let lastPosition = 0;
  let events = 0;
  let unsealedEvents = 0;

  walk: for await (const batch of store.readAll({ batchSize: options.batchSize ?? 5_000 })) {
    for (const event of batch) {
      if (event.position > head) break walk;
      events++;
      if (gapless && event.position > lastPosition + 1) {
        const missing = event.position - lastPosition - 1;
        report({
          kind: 'position-gap',
          position: lastPosition + 1,
          reason:
            `position${missing > 1 ? `s ${lastPosition + 1}..${event.position - 1} are` : ` ${lastPosition + 1} is`} missing ` +
            `before ${describeChainEvent(event)}: ${missing} event${missing > 1 ? 's were' : ' was'} deleted from the log`,
        });
      }
      lastPosition = event.position;
      checkLink(event, streams, report);
      if (anchors.size > 0) anchors.delete(linkHashOf(event));

      while (range && event.position > range.toPosition) {
        checkRange(range, digest, sealStream, report);
        [range, digest] = [await seals.next(), new RangeDigest()];
      }
      if (range) digest.add(event);
      else unsealedEvents++;
    }
    options.onProgress?.({ events, position: lastPosition, head });
  }
  // Seals whose ranges reach past the last event: their last events are gone.
  while (range) {
    checkRange(range, digest, sealStream, report);
    [range, digest] = [await seals.next(), new RangeDigest()];
  }

  if (highestAssigned > lastPosition) {
    report({
      kind: 'tail-missing',
      position: lastPosition + 1,
      reason: `positions ${lastPosition + 1}..${highestAssigned} were assigned but are gone: the last ${highestAssigned - lastPosition} event(s) of the log were deleted`,
    });
  }
  for (const anchor of anchors) {
    report({
      kind: 'anchor-missing',
      reason: `no event has the anchored hash ${anchor}: the log was truncated or rewritten since that hash was recorded`,
    });
  }

  const ordered = problems.sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity)).slice(0, maxProblems);
  const lastSeal = seals.last;
  return {
    ok: problemCount === 0,
    ...(ordered.length > 0 ? { firstProblem: ordered[0] } : {}),
    problems: ordered,
    problemCount,
    events,
    streams: streams.size,
    headPosition: lastPosition,
    positionsChecked: gapless,
    seals: {
      count: seals.count,
      sealedThrough: lastSeal?.toPosition ?? 0,
      unsealedEvents,
      ...(lastSeal ? { last: { position: lastSeal.sealPosition, hash: lastSeal.sealHash, toPosition: lastSeal.toPosition } } : {}),
    },
    seconds: (performance.now() - startedAt) / 1000,
  };
}

/**
 * The seals up to `head`, one at a time, read beside the main walk (a year of minutely seals is
 * half a million events: not something to hold in memory). Each must continue the previous one;
 * the first that does not ends the sequence, since later ones build on it.
 */
class SealCursor {
  count = 0;
  last: SealedRange | undefined;
  private readonly batches: AsyncIterator<readonly RecordedEvent[]>;
  private pending: RecordedEvent[] = [];
  private ended = false;

  constructor(
    store: EventStore,
    private readonly sealStream: string,
    private readonly head: number,
    private readonly report: (problem: ChainProblem) => void,
  ) {
    this.batches = store.readAll({ streamPrefixes: [sealStream], batchSize: 1_000 })[Symbol.asyncIterator]();
  }

  async next(): Promise<SealedRange | undefined> {
    const event = await this.nextSealEvent();
    if (!event) return undefined;
    const data = sealDataOf(event);
    const previousEnd = this.last?.toPosition ?? 0;
    let why: string | undefined;
    if (!data) why = 'it is not a well-formed seal';
    else if (data.fromPosition !== previousEnd) why = `it starts at position ${data.fromPosition}, the previous seal ended at ${previousEnd}`;
    else if (data.toPosition >= event.position) why = `it covers positions up to ${data.toPosition}, beyond itself`;
    if (why || !data) {
      this.report({ kind: 'seal-invalid', position: event.position, event: eventOf(event), reason: `${describeChainEvent(event)}: ${why}; later seals are not checked` });
      await this.close();
      return undefined;
    }
    this.count++;
    this.last = { ...data, sealPosition: event.position, sealRevision: event.revision, sealHash: linkHashOf(event) };
    return this.last;
  }

  private async nextSealEvent(): Promise<RecordedEvent | undefined> {
    for (;;) {
      const event = this.pending.shift();
      // The prefix also matches longer stream names; seals after the head are the next run's.
      if (event) {
        if (event.position > this.head) {
          await this.close();
          return undefined;
        }
        if (event.streamId === this.sealStream) return event;
        continue;
      }
      if (this.ended) return undefined;
      const read = await this.batches.next();
      if (read.done) this.ended = true;
      else this.pending = [...read.value];
    }
  }

  private async close(): Promise<void> {
    this.ended = true;
    this.pending = [];
    await this.batches.return?.();
  }
}

function checkLink(event: RecordedEvent, streams: Map<string, StreamHead>, report: (problem: ChainProblem) => void): void {
  const before = streams.get(event.streamId);
  const expectedRevision = before ? before.revision + 1 : 0;
  const link = chainLinkOf(event.metadata);
  const bad = (kind: ChainProblemKind, why: string): void =>
    report({ kind, position: event.position, event: eventOf(event), reason: `${describeChainEvent(event)}: ${why}` });

  // What is wrong with the event itself first, then with its place in the stream.
  if (!link) {
    bad('unchained', 'it has no hash chain link (metadata.chain): written without the hash-chain decorator, or the link was removed');
  } else if (eventHash(event, link.prev) !== link.hash) {
    bad('content-changed', 'its content no longer matches its hash: its type, data, metadata, id, stream or revision was changed');
  }
  if (event.revision > expectedRevision) {
    bad(
      'revision-gap',
      before
        ? `it follows revision ${before.revision} (position ${before.position}): revision${event.revision - expectedRevision > 1 ? `s ${expectedRevision}..${event.revision - 1} are` : ` ${expectedRevision} is`} missing (deleted, or moved after it)`
        : `the stream starts at revision ${event.revision}: revisions 0..${event.revision - 1} are missing (deleted, or moved after it)`,
    );
  } else if (before && event.revision < expectedRevision) {
    bad('out-of-order', `it comes after revision ${before.revision} of its stream (position ${before.position}): events were reordered or duplicated`);
  } else if (link && link.prev !== (before?.hash ?? GENESIS_HASH)) {
    bad(
      'chain-broken',
      before
        ? `its prev is not the hash of revision ${before.revision} (position ${before.position}): that event was replaced, or this one moved`
        : 'its prev is not the genesis value although it opens the stream',
    );
  }
  if (!before || event.revision > before.revision) {
    streams.set(event.streamId, { revision: event.revision, hash: linkHashOf(event), position: event.position });
  }
}

function checkRange(range: SealedRange, found: RangeDigest, sealStream: string, report: (problem: ChainProblem) => void): void {
  const events = found.events;
  const digest = found.digest();
  if (events === range.events && digest === range.digest) return;
  report({
    kind: 'seal-mismatch',
    // The seal is the claim that no longer holds; a bad event inside the range sorts first.
    position: range.sealPosition,
    reason:
      `positions ${range.fromPosition + 1}..${range.toPosition} differ from what the seal at position ${range.sealPosition} ` +
      `(${sealStream} revision ${range.sealRevision}) recorded: it counted ${range.events} events, the log now has ${events}` +
      `${events === range.events ? ' but with different hashes, positions or times' : ''}: events in this range were deleted, added, moved or re-hashed`,
  });
}

function eventOf(event: RecordedEvent): ChainProblemEvent {
  return { position: event.position, id: event.id, streamId: event.streamId, revision: event.revision, type: event.type };
}

/** How a problem names an event: every coordinate an auditor might search by. */
export function describeChainEvent(event: ChainProblemEvent): string {
  return `event ${event.id} (${event.type}, stream ${event.streamId} revision ${event.revision}, position ${event.position})`;
}
