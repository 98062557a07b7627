import { type EventStore, WrongExpectedRevisionError } from '../event-store.port';
import { NO_STREAM_REVISION } from '../adapter-support';
import { newEventId } from '../event-id';
import { DelegatingEventStore } from '../delegating-event-store';
import { HashChainedEventStore } from './hash-chained-event-store';
import { type DigestedRange, RangeDigest, type RangeDigester, SEAL_EVENT_TYPE, SEAL_STREAM, type SealData, sealDataOf } from './seal';

export interface ChainSealerOptions {
  /** How often `start()` seals (default 60 s). */
  readonly intervalMs?: number;
  /** Events one seal covers at most; a longer backlog gets several seals (default 10,000). */
  readonly maxEventsPerSeal?: number;
  /** Where a failed periodic seal is reported (default: console.error); the next tick tries again. */
  readonly onError?: (error: unknown) => void;
  readonly clock?: () => Date;
  /**
   * Reads and digests the ranges away from the event loop (embedded mode: `SqliteRangeDigester`);
   * a range it cannot digest exactly is read here, as without it. `stop()` closes it.
   */
  readonly rangeDigester?: RangeDigester;
}

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_MAX_EVENTS_PER_SEAL = 10_000;
// Read and hashed in one turn of the event loop: batches of 5,000 held requests up for ~0.1 s
// each, every minute under load (measured, 200,000-event log); batches of 250 for ~3 ms.
const SEAL_READ_BATCH = 250;

/**
 * Appends seals (see `SealData`) to SEAL_STREAM, always through the hash chain (the one among the
 * store's decorators, or one wrapped around a store without), so the seals themselves are chained.
 * Several writers may run one each: a seal is appended with the seal stream's exact revision, so
 * when two race, one seals and the other stops until its next tick.
 */
export class ChainSealer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private busy = false;
  private stopped: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly maxEventsPerSeal: number;
  private readonly onError: (error: unknown) => void;
  private readonly clock: () => Date;
  private readonly store: HashChainedEventStore;
  private readonly rangeDigester: RangeDigester | undefined;

  constructor(store: EventStore, options: ChainSealerOptions = {}) {
    // The chain among the store's decorators, when it has one: the events as stored (a seal covers
    // their links, so opening sealed personal fields above it would cost a key and AES-GCM each).
    const chain = store instanceof DelegatingEventStore ? store.layer(HashChainedEventStore) : undefined;
    this.store = chain ?? new HashChainedEventStore(store);
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.maxEventsPerSeal = options.maxEventsPerSeal ?? DEFAULT_MAX_EVENTS_PER_SEAL;
    this.onError = options.onError ?? ((error) => console.error('Sealing the event log failed:', error));
    this.clock = options.clock ?? (() => new Date());
    this.rangeDigester = options.rangeDigester;
    if (!Number.isSafeInteger(this.maxEventsPerSeal) || this.maxEventsPerSeal < 1) {
      throw new RangeError('maxEventsPerSeal must be a positive integer');
    }
  }

  /**
   * Seals everything after the last seal, up to the head as read now. Resolves with the seals
   * appended (none when only seals were written since, or another writer sealed first).
   */
  async seal(): Promise<SealData[]> {
    const sealed: SealData[] = [];
    for (;;) {
      const revision = await this.store.streamRevision(SEAL_STREAM);
      const fromPosition = revision === NO_STREAM_REVISION ? 0 : await this.sealedThrough(revision);
      const range = await this.digestFrom(fromPosition);
      // The previous seal alone needs no seal of its own, or an idle log would grow one per tick.
      if (range.events === 0 || range.onlySeals) return sealed;
      const data: SealData = { fromPosition, toPosition: range.toPosition, events: range.events, digest: range.digest };
      try {
        await this.store.append(
          SEAL_STREAM,
          [
            {
              id: newEventId(),
              type: SEAL_EVENT_TYPE,
              data: { ...data },
              metadata: { actor: { kind: 'system', process: 'chain-sealer' }, occurredAt: this.clock().toISOString() },
            },
          ],
          revision === NO_STREAM_REVISION ? 'no_stream' : revision,
        );
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) return sealed;
        throw error;
      }
      sealed.push(data);
      if (data.events < this.maxEventsPerSeal) return sealed;
    }
  }

  /** Seals every `intervalMs` until `stop()`. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    // Sealing must never keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  /**
   * Stops the timer, waits for a seal in progress, then seals what is left (a clean shutdown leaves
   * nothing unsealed), then closes the range digester. Call it before closing the store; calling it
   * again does nothing more.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      clearInterval(this.timer);
      this.timer = undefined;
      await this.running;
      try {
        await this.seal();
      } finally {
        await this.rangeDigester?.close();
      }
    })();
    return this.stopped;
  }

  private tick(): void {
    if (this.busy) return;
    this.busy = true;
    this.running = this.seal()
      .catch(this.onError)
      .finally(() => (this.busy = false));
  }

  /** The range of the next seal, digested by the range digester when it can, else read here. */
  private async digestFrom(fromPosition: number): Promise<DigestedRange> {
    if (this.rangeDigester) {
      // Up to the durable head: the digester's connection sees commits not yet on disk too.
      const toPosition = await this.store.headPosition();
      const digested = await this.rangeDigester.digest({ fromPosition, toPosition, maxEvents: this.maxEventsPerSeal });
      if (digested) return digested;
    }
    const digest = new RangeDigest();
    let toPosition = fromPosition;
    let onlySeals = true;
    read: for await (const batch of this.store.readAll({ fromPosition, batchSize: Math.min(this.maxEventsPerSeal, SEAL_READ_BATCH) })) {
      for (const event of batch) {
        digest.add(event);
        toPosition = event.position;
        onlySeals &&= event.streamId === SEAL_STREAM;
        if (digest.events === this.maxEventsPerSeal) break read;
      }
      // Reading and hashing a batch is synchronous work: requests get their turn between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { events: digest.events, toPosition, onlySeals, digest: digest.digest() };
  }

  private async sealedThrough(revision: number): Promise<number> {
    const [last] = await this.store.readStream(SEAL_STREAM, { fromRevision: revision });
    const data = last && sealDataOf(last);
    if (!data) {
      throw new Error(`The last seal (${SEAL_STREAM} revision ${revision}) is unreadable; run verify before sealing again`);
    }
    return data.toPosition;
  }
}
