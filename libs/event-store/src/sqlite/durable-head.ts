/** Told once everything up to `position` is on disk, or that it never will be known to be. */
export interface DurabilityWaiter {
  readonly position: number;
  durable(): void;
  failed(error: Error): void;
}

/** A sync of the event log failed: what the file holds on disk is unknown, so the store stops. */
export class EventLogSyncFailedError extends Error {
  override readonly name = 'EventLogSyncFailedError';

  constructor(cause: unknown) {
    super(
      `The event log could not be synced to disk (${cause instanceof Error ? cause.message : String(cause)}): ` +
        'what it holds is unknown, so it takes no more appends; restart the service',
      { cause },
    );
  }
}

/** What the store is told as syncs end. */
export interface DurabilityEvents {
  /** Positions (after, through] are on disk now; called once their waiters were told. */
  durable(after: number, through: number): void;
  /**
   * A sync ended and none runs: the moment to commit what queued meanwhile, as one transaction
   * (or, after a failed sync, to refuse it).
   */
  synced(): void;
}

/**
 * The last log position known to be on disk, moved by one sync at a time: commits made while a
 * sync runs ride on the next one (the file is written in order, so a later sync covers every
 * earlier write). Without `syncToDisk` (`:memory:`, read-only) a commit is durable as it ends.
 *
 * After a failed sync nothing is ever durable again (PostgreSQL's fsync lesson: a retried fsync
 * may report success for pages the kernel already dropped), and every waiter is told so.
 */
export class DurableHead {
  private durablePosition: number;
  private committedPosition: number;
  private waiters: DurabilityWaiter[] = [];
  private syncing: Promise<void> | undefined;
  private failure: EventLogSyncFailedError | undefined;

  constructor(
    position: number,
    private readonly syncToDisk: (() => Promise<void>) | undefined,
    private readonly events: DurabilityEvents,
  ) {
    this.durablePosition = position;
    this.committedPosition = position;
  }

  get position(): number {
    return this.durablePosition;
  }

  get syncInFlight(): boolean {
    return this.syncing !== undefined;
  }

  get failed(): EventLogSyncFailedError | undefined {
    return this.failure;
  }

  /** A transaction committed everything up to `through`; `waiter` is told once it is on disk. */
  committed(through: number, waiter: DurabilityWaiter): void {
    if (this.failure) return waiter.failed(this.failure);
    this.committedPosition = Math.max(this.committedPosition, through);
    if (this.syncToDisk && waiter.position <= this.durablePosition) return waiter.durable();
    this.waiters.push(waiter);
    if (this.syncToDisk) this.startSync();
    else this.reached(this.committedPosition);
  }

  /**
   * Undefined when `position` is on disk already (no promise on the common path). Only positions
   * this instance committed are waited for: a read-only store sees another process's commits.
   */
  whenDurable(position: number): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.syncToDisk || Math.min(position, this.committedPosition) <= this.durablePosition) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ position, durable: resolve, failed: reject });
      this.startSync();
    });
  }

  /** Resolves when no sync runs and none is needed (close waits for the one in flight). */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  private startSync(): void {
    if (this.syncing || this.failure || this.committedPosition <= this.durablePosition) return;
    const through = this.committedPosition;
    this.syncing = (this.syncToDisk as () => Promise<void>)().then(
      () => {
        this.syncing = undefined;
        this.reached(through);
        this.events.synced();
        this.startSync();
      },
      (error: unknown) => {
        this.syncing = undefined;
        this.fail(error);
        this.events.synced();
      },
    );
  }

  private reached(through: number): void {
    const after = this.durablePosition;
    this.durablePosition = through;
    const ready = this.waiters.filter((waiter) => waiter.position <= through);
    this.waiters = this.waiters.filter((waiter) => waiter.position > through);
    for (const waiter of ready) waiter.durable();
    if (through > after) this.events.durable(after, through);
  }

  private fail(cause: unknown): void {
    this.failure = new EventLogSyncFailedError(cause);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.failed(this.failure);
  }
}
