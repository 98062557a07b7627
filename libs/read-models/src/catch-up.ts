import type { EventStore } from '@scim/event-store';
import type { Projection } from './projection';
import type { ReadStore } from './read-store.port';

/** What catching up needs to know of a projection: its checkpoint's name and the streams it reads. */
export type ProjectionScope = Pick<Projection, 'name' | 'streamPrefixes'>;

/** No event of the projection's streams lies in (from, through]: a fact about the log, true forever. */
interface IdleSpan {
  readonly from: number;
  readonly through: number;
}

/**
 * Tells whether a projection's read model includes a position of the event log. A checkpoint only
 * moves when an event of the projection's own streams is projected, so a projection that had
 * nothing to do lags behind the head without missing anything: the event store is then asked
 * whether an event of its streams lies between the checkpoint and the position. What it answered
 * is remembered (per projection, from the checkpoint it was asked for), so the next question only
 * scans the log written since.
 *
 * Shared by the in-process {@link ProjectionRunner} and by {@link CheckpointWaiter}, which serves
 * processes that only read the checkpoints another process commits.
 */
export class CatchUpTracker {
  private readonly idle = new Map<string, IdleSpan>();
  /** Per projection, an event of its streams found after its quiet stretch (not projected while beyond the checkpoint). */
  private readonly nextEvent = new Map<string, number>();
  /** The log's head is known to be at least this (it never moves back). */
  private knownHead = 0;

  constructor(private readonly eventStore: EventStore) {}

  /** Position through which the projection, at `checkpoint`, is known to include its streams' events (no I/O). */
  includedThrough(projection: ProjectionScope, checkpoint: number): number {
    const idle = this.idle.get(projection.name);
    // A span checked from an older checkpoint still holds; one from a newer checkpoint says nothing
    // about the events between (a read store rebuilt from scratch reports a lower checkpoint).
    return idle && checkpoint >= idle.from ? Math.max(checkpoint, idle.through) : checkpoint;
  }

  /**
   * True when the projection, at `checkpoint`, includes every event of its streams up to
   * `position`. False when it does not yet, or when the event store cannot tell right now (the
   * projection's own subscription reports real failures).
   */
  async includes(projection: ProjectionScope, checkpoint: number, position: number): Promise<boolean> {
    const known = this.includedThrough(projection, checkpoint);
    if (known >= position) return true;
    // A busy projection: the event found last time is still ahead of its checkpoint, no need to ask.
    const pending = this.nextEvent.get(projection.name);
    if (pending !== undefined && pending > known && pending <= position) return false;
    const quiet = await this.quietThrough(projection.streamPrefixes, known, position);
    if (quiet === undefined) return false;
    const { through, next } = quiet;
    if (next !== undefined) this.nextEvent.set(projection.name, next);
    if (through <= known) return false;
    const current = this.idle.get(projection.name);
    // Concurrent questions may answer out of order: keep the span that says more.
    if (!current || current.from > checkpoint || current.through < through) {
      this.idle.set(projection.name, { from: checkpoint, through });
    }
    return through >= position;
  }

  /**
   * How far past `after` no event of these streams lies: up to the next such event, or up to the
   * head when there is none. So one scan answers every write up to the head, not only the one that
   * asked (under load, dozens of writes wait at once, each with its own position). Undefined when
   * `position` lies beyond the head or the event store cannot tell. `next`: the event found.
   */
  private async quietThrough(
    streamPrefixes: readonly string[],
    after: number,
    position: number,
  ): Promise<{ readonly through: number; readonly next?: number } | undefined> {
    try {
      // Read before scanning: events up to a position beyond the head may still be written.
      this.knownHead = Math.max(this.knownHead, await this.eventStore.headPosition());
      if (position > this.knownHead) return undefined;
      const head = this.knownHead;
      const next = this.eventStore.readAll({
        fromPosition: after,
        streamPrefixes: streamPrefixes.length > 0 ? streamPrefixes : undefined,
        batchSize: 1,
      });
      for await (const batch of next) {
        if (batch.length > 0) return { through: batch[0].position - 1, next: batch[0].position };
      }
      return { through: head };
    } catch {
      return undefined;
    }
  }
}

export interface CheckpointWaiterOptions {
  /** First pause between two checks; doubled after each check that found the read models behind. */
  readonly firstPollMs?: number;
  /** Longest pause between two checks. */
  readonly maxPollMs?: number;
}

const DEFAULT_FIRST_POLL_MS = 5;
const DEFAULT_MAX_POLL_MS = 100;

/**
 * Read-your-writes for a process that does not run the projections (an API replica in
 * distributed mode): waits until the checkpoints committed to the read store by another process
 * (the projector) include a position, polling with a backoff. Concurrent waiters share each read
 * of the checkpoints, so a burst of writes costs one round trip per projection and poll.
 */
export class CheckpointWaiter {
  private readonly tracker: CatchUpTracker;
  private readonly projections: readonly ProjectionScope[];
  private pendingRead: Promise<ReadonlyMap<string, number>> | undefined;

  constructor(
    eventStore: EventStore,
    private readonly readStore: ReadStore,
    projections: readonly ProjectionScope[],
    private readonly options: CheckpointWaiterOptions = {},
  ) {
    this.tracker = new CatchUpTracker(eventStore);
    this.projections = [...projections];
  }

  /**
   * Resolves true once every projection includes `position`; false when `timeoutMs` ran out first.
   * A read store or event store that fails to answer counts as "not yet".
   */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let pause = this.options.firstPollMs ?? DEFAULT_FIRST_POLL_MS;
    for (;;) {
      if (await this.includes(position)) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await sleep(Math.min(pause, remaining));
      pause = Math.min(pause * 2, this.options.maxPollMs ?? DEFAULT_MAX_POLL_MS);
    }
  }

  /** True when every projection includes `position` now. */
  async includes(position: number): Promise<boolean> {
    let checkpoints: ReadonlyMap<string, number>;
    try {
      checkpoints = await this.readCheckpoints();
    } catch {
      return false;
    }
    for (const projection of this.projections) {
      if (!(await this.tracker.includes(projection, checkpoints.get(projection.name) ?? 0, position))) return false;
    }
    return true;
  }

  private readCheckpoints(): Promise<ReadonlyMap<string, number>> {
    this.pendingRead ??= (async () => {
      try {
        const positions = await Promise.all(this.projections.map((projection) => this.readStore.checkpoint(projection.name)));
        return new Map(this.projections.map((projection, index) => [projection.name, positions[index]]));
      } finally {
        this.pendingRead = undefined;
      }
    })();
    return this.pendingRead;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
