import { createHash, type Hash } from 'node:crypto';
import type { RecordedEvent } from '../event-store.port';
import { linkHashOf } from './event-hash';

/** The stream of seals (a plain stream: EventStoreDB reserves names starting with `$`). */
export const SEAL_STREAM = 'chain-seals';
export const SEAL_EVENT_TYPE = 'ChainSealed';

/**
 * A seal vouches for every event at positions (fromPosition, toPosition] of the whole log: how many
 * there were and a digest of their positions, streams, revisions, chain hashes and commit times, in
 * commit order.
 * Seals are contiguous (each starts where the previous ended, the first at 0) and form a hash
 * chain of their own, so deleting a whole stream, the last events of a stream or moving events
 * between positions changes a digest that a later seal already recorded.
 */
export interface SealData {
  readonly fromPosition: number;
  readonly toPosition: number;
  readonly events: number;
  readonly digest: string;
}

/** The running digest of one sealed range. */
export class RangeDigest {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  add(event: RecordedEvent): void {
    // The commit time is here because the chain cannot cover it (the store sets it after the hash
    // is computed). JSON for the stream id: no separator inside it makes two lists read alike.
    this.hash.update(
      `${event.position}\t${event.revision}\t${linkHashOf(event)}\t${event.recordedAt}\t${JSON.stringify(event.streamId)}\n`,
      'utf8',
    );
    this.count++;
  }

  get events(): number {
    return this.count;
  }

  /** Finishes the digest; the instance cannot be used afterwards. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The events a `RangeDigester` is asked for: the first `maxEvents` at positions (fromPosition, toPosition]. */
export interface RangeToDigest {
  readonly fromPosition: number;
  readonly toPosition: number;
  readonly maxEvents: number;
}

/** What a range's digest found: `RangeDigest` over its events, and the last event's position. */
export interface DigestedRange {
  readonly events: number;
  readonly toPosition: number;
  /** Every event of the range is a seal (then it needs no seal of its own). */
  readonly onlySeals: boolean;
  readonly digest: string;
}

/**
 * Digests ranges of the log away from the event loop (embedded mode: `SqliteRangeDigester`, a
 * thread with its own connection), exactly as `RangeDigest` over the same events.
 */
export interface RangeDigester {
  /**
   * The range's events, digested; undefined when they cannot be digested there exactly (an event
   * without a well-formed chain link, written before the chain existed): the caller reads the
   * range itself.
   */
  digest(range: RangeToDigest): Promise<DigestedRange | undefined>;
  /** Waits for the digest in flight and lets go of what it holds; later digests answer undefined. */
  close(): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The seal recorded in an event, when its data is well-formed. */
export function sealDataOf(event: RecordedEvent): SealData | undefined {
  if (event.type !== SEAL_EVENT_TYPE) return undefined;
  const { fromPosition, toPosition, events, digest } = event.data;
  const isPosition = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!isPosition(fromPosition) || !isPosition(toPosition) || !isPosition(events) || typeof digest !== 'string') return undefined;
  if (toPosition <= fromPosition || events < 1 || !SHA256_HEX.test(digest)) return undefined;
  return { fromPosition, toPosition, events, digest };
}
