import type { EventStore } from '@scim/event-store';
import type { Projection } from './projection';
import type { ReadStore } from './read-store.port';

/** What catching up needs to know of a projection: its checkpoint's name and the streams it reads. */
export type ProjectionScope = Pick<Projection, 'name' | 'streamPrefixes'>;

/**
 * No event of the projection's streams lies after `from` and up to `end`: up to and including it
 * when the scan reached the head there, or before it when `end` is the next such event's position.
 * A fact about the log, true forever. Positions are compared, never computed: EventStoreDB's are
 * byte offsets, and a number next to one is no position at all.
 */
interface IdleSpan {
  readonly from: number;
  readonly end: number;
  readonly endIsEvent: boolean;
}

function spanCovers(span: IdleSpan, position: number): boolean {
  return span.endIsEvent ? position < span.end : position <= span.end;
}

/**
 * Tells whether a projection's read model includes a position of the event log. A checkpoint only
 * moves when an event of the projection's own streams is projected (or its subscription reports
 * reading past others), so a projection that had nothing to do lags behind the head without
 * missing anything: the event store is then asked whether an event of its streams lies between the
 * checkpoint and the position. What it answered is remembered (per projection, from the checkpoint
 * it was asked for), so the next question only reads the log written since; one question per
 * projection is in flight at a time, and concurrent askers share its answer.
 *
 * Shared by the in-process {@link ProjectionRunner} and by {@link CheckpointWaiter}, which serves
 * processes that only read the checkpoints another process commits.
 */
export class CatchUpTracker {
  private readonly idle = new Map<string, IdleSpan>();
  /** Per projection, an event of its streams found after its quiet stretch (not projected while beyond the checkpoint). */
  private readonly nextEvent = new Map<string, number>();
  /** Per projection, the scan in flight: at most one, whatever the number of waiting writes. */
  private readonly scans = new Map<string, Promise<void>>();

  constructor(private readonly eventStore: EventStore) {}

  /** The projection, at `checkpoint`, is known to include its streams' events up to `position` (no I/O). */
  knownToInclude(projection: ProjectionScope, checkpoint: number, position: number): boolean {
    if (position <= checkpoint) return true;
    const idle = this.idle.get(projection.name);
    // A span checked from an older checkpoint still holds; one from a newer checkpoint says nothing
    // about the events between (a read store rebuilt from scratch reports a lower checkpoint).
    return idle !== undefined && checkpoint >= idle.from && spanCovers(idle, position);
  }

  /**
   * True when the projection, at `checkpoint`, includes every event of its streams up to
   * `position`. False when it does not yet, or when the event store cannot tell right now (the
   * projection's own subscription reports real failures).
   */
  async includes(projection: ProjectionScope, checkpoint: number, position: number): Promise<boolean> {
    for (let asked = false; ; asked = true) {
      if (this.knownToInclude(projection, checkpoint, position)) return true;
      // A busy projection: the event found last time is still ahead of its checkpoint, no need to ask.
      const pending = this.nextEvent.get(projection.name);
      if (pending !== undefined && pending > checkpoint && pending <= position) return false;
      const inFlight = this.scans.get(projection.name);
      if (inFlight) {
        await inFlight;
        continue;
      }
      if (asked) return false;
      const scan = this.scan(projection, checkpoint).finally(() => this.scans.delete(projection.name));
      this.scans.set(projection.name, scan);
      await scan;
    }
  }

  /**
   * Reads the log after what is known of the projection, up to the head (one scan answers every
   * write up to there, not only the one that asked), stopping at the first event of its streams.
   */
  private async scan(projection: ProjectionScope, checkpoint: number): Promise<void> {
    const idle = this.idle.get(projection.name);
    const after = idle && !idle.endIsEvent && checkpoint >= idle.from ? Math.max(checkpoint, idle.end) : checkpoint;
    let found: IdleSpan;
    try {
      const head = await this.eventStore.headPosition();
      if (head <= after) return;
      found = { from: checkpoint, end: head, endIsEvent: false };
      const batches = this.eventStore.readAll({
        fromPosition: after,
        toPosition: head,
        streamPrefixes: projection.streamPrefixes.length > 0 ? projection.streamPrefixes : undefined,
        batchSize: 1,
      });
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        found = { from: checkpoint, end: batch[0].position, endIsEvent: true };
        this.nextEvent.set(projection.name, batch[0].position);
        break;
      }
    } catch {
      return;
    }
    // Concurrent checkpoints may answer out of order: keep the span that says more.
    if (!idle || idle.from > checkpoint || saysMore(found, idle)) this.idle.set(projection.name, found);
  }
}

function saysMore(candidate: IdleSpan, current: IdleSpan): boolean {
  return candidate.end > current.end || (candidate.end === current.end && current.endIsEvent && !candidate.endIsEvent);
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
      // Raced against the deadline: a slow read store or a long scan of the log cannot hold the response.
      if (await withinTime(this.includes(position), deadline - Date.now(), false)) return true;
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

/** `promise`'s value, or `otherwise` once `ms` ran out first (the promise goes on unobserved). */
export async function withinTime<T>(promise: Promise<T>, ms: number, otherwise: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<T>((resolve) => (timer = setTimeout(() => resolve(otherwise), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
