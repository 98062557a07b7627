import { randomBytes } from 'node:crypto';
import type { EventStore } from '@scim/event-store';
import { ReadStoreLease } from './lease';
import type { Projection } from './projection';
import { ProjectionRunner, type RunnerLogger } from './projection-runner';
import { describeStale, PROJECTION_VERSIONS, staleProjections } from './projection-versions';
import { DelegatingReadStore } from './delegating-read-store';
import type { Checkpoint, DocumentChange, ReadStore } from './read-store.port';
import { progressLogger } from './read-model-upgrade';

/** What a read store shared with running readers (MongoDB) offers so that it can be rebuilt beside them. */
export interface ScratchSpace {
  /** A store over scratch copies of every collection, checkpoints and versions included, named by `tag`. */
  scratch(tag: string): ReadStore;
  /** Drops the scratch collections of `tag`'s rebuild, or of every rebuild when no tag is given; returns their names. */
  dropRebuildLeftovers(tag?: string): Promise<readonly string[]>;
  /** Makes the scratch store's `collections` and the rebuilt projections' checkpoints and versions the live ones. */
  swapIn(scratch: ReadStore, swap: ScratchSwap): Promise<void>;
}

export interface ScratchSwap {
  /** Every collection the rebuilt projections write. */
  readonly collections: readonly string[];
  readonly projections: readonly Projection[];
}

export interface ScratchRebuildOptions {
  readonly eventStore: EventStore;
  /** The live read store, where the lease and the versions are. */
  readonly live: ReadStore;
  readonly space: ScratchSpace;
  /** The projections this process runs; those of another version are rebuilt. */
  readonly projections: readonly Projection[];
  /** The collections each projection writes, by projection name: a swap replaces exactly these. */
  readonly collectionsOf: (projection: string) => readonly string[];
  /** Gives a store its indexes: the scratch one before it fills. */
  readonly prepare: (store: ReadStore) => Promise<void>;
  readonly logger: RunnerLogger;
  /** This process, in the lease (unique per replica and start). */
  readonly holder: string;
  /** The rebuild lease's TTL (default 60 s), renewed every third of it. */
  readonly leaseTtlMs?: number;
  /** Pause between two looks at another process's rebuild (default 5 s). */
  readonly waitMs?: number;
  /** Events between two progress lines (default 100,000). */
  readonly progressEvery?: number;
  /** Checked while waiting and between batches: a process shutting down gives up. */
  readonly stopping?: () => boolean;
}

/** One rebuild at a time per read-model database, whichever projectors run which projections. */
export const REBUILD_LEASE = 'read-model-rebuild';
const DEFAULT_LEASE_TTL_MS = 60_000;
const DEFAULT_WAIT_MS = 5_000;
const DEFAULT_PROGRESS_EVERY = 100_000;

export class RebuildAbandonedError extends Error {
  override readonly name = 'RebuildAbandonedError';
}

/**
 * Rebuilds the projections of another version beside the live read models, which readers keep
 * using meanwhile: under a lease (of two projectors, one rebuilds; the other waits, then finds the
 * versions current), every such projection is replayed from the log's start into scratch
 * collections, caught up with the events appended meanwhile, and swapped in. Leftovers of a
 * rebuild cut short are dropped first. Resolves once no projection of `projections` is stale.
 */
export async function rebuildStaleReadModels(options: ScratchRebuildOptions): Promise<void> {
  const { live, projections, logger } = options;
  const lease = new ReadStoreLease(live, { name: REBUILD_LEASE, holder: options.holder, ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS });
  for (let waited = false; ; waited = true) {
    const stale = await staleProjections(live, projections);
    if (stale.length === 0) return;
    if (options.stopping?.()) throw new RebuildAbandonedError('Stopping: the read models were not rebuilt');
    if (await lease.acquire()) {
      const rebuilt = new Set(stale.map(({ projection }) => projection));
      logger.log(
        `Read models of another version (${describeStale(stale)}): ` +
          'rebuilding them from the event log into scratch collections; readers keep the current ones until the swap',
      );
      try {
        await rebuildUnderLease(options, lease, projections.filter(({ name }) => rebuilt.has(name)));
      } finally {
        await lease.release();
      }
      continue;
    }
    if (!waited) logger.log('Another projector is rebuilding the read models: waiting for it');
    await new Promise((resolve) => setTimeout(resolve, options.waitMs ?? DEFAULT_WAIT_MS));
  }
}

async function rebuildUnderLease(options: ScratchRebuildOptions, lease: ReadStoreLease, stale: readonly Projection[]): Promise<void> {
  const { eventStore, space, logger } = options;
  const dropped = await space.dropRebuildLeftovers();
  if (dropped.length > 0) logger.log(`Dropped the scratch collections of a rebuild cut short: ${dropped.join(', ')}`);
  const collections = [...new Set(stale.flatMap(({ name }) => options.collectionsOf(name)))];
  const tag = randomBytes(6).toString('hex');
  const scratch = space.scratch(tag);
  const renewal = new LeaseRenewal(lease, (options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS) / 3, options.stopping);
  try {
    const guarded = new GuardedScratch(scratch, collections, renewal);
    await options.prepare(scratch);
    const runner = new ProjectionRunner(eventStore, guarded, stale, { logger });
    const logProgress = progressLogger(logger, options.progressEvery ?? DEFAULT_PROGRESS_EVERY);
    const done = await runner.rebuild(guarded, logProgress);
    logger.log(`Rebuilt ${stale.map(({ name }) => name).join(', ')} from ${done.events} events (${Math.round(done.eventsPerSecond)} events/s); catching up with the events appended since`);
    await catchUp(eventStore, guarded, stale, logger, renewal);
    // Renewed last, so that the lease outlasts the swap however long the rebuild took.
    await renewal.renew();
    await space.swapIn(scratch, { collections, projections: stale });
    logger.log(`Swapped in the rebuilt ${collections.join(', ')}; ${stale.map(({ name, version }) => `${name} is now v${version}`).join(', ')}`);
  } catch (error) {
    // Only this rebuild's: after a lost lease, the others may be another projector's, being filled.
    await space.dropRebuildLeftovers(tag).catch(() => undefined);
    throw error;
  } finally {
    await renewal.stop();
    await scratch.close();
  }
}

/** Projects into the scratch store what was appended while it was rebuilt, up to the head as now read. */
async function catchUp(eventStore: EventStore, scratch: ReadStore, projections: readonly Projection[], logger: RunnerLogger, renewal: LeaseRenewal): Promise<void> {
  const runner = new ProjectionRunner(eventStore, scratch, projections, {
    logger: { log: (message) => logger.log(`Catching up the rebuilt read models: ${message}`), error: logger.error },
  });
  await runner.start();
  try {
    const head = await eventStore.headPosition();
    // No deadline is right here: the swap waits for a scratch store as fresh as the live one.
    while (!(await runner.waitFor(head, 10_000))) {
      renewal.check();
      const failed = runner.status().find((status) => status.state === 'failed');
      if (failed) throw failed.error ?? new Error(`Projection ${failed.projection} failed while catching up`);
    }
  } finally {
    await runner.stop();
  }
}

/**
 * Keeps the rebuild lease while the rebuild runs, renewing it every third of its TTL; a lost lease
 * (or a shutdown) stops the rebuild at its next write.
 */
class LeaseRenewal {
  private renewing: Promise<void> = Promise.resolve();
  private lost: Error | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly lease: ReadStoreLease,
    everyMs: number,
    private readonly stopping?: () => boolean,
  ) {
    this.timer = setInterval(() => void this.renew().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  /** Throws when the rebuild must stop. */
  check(): void {
    if (this.stopping?.()) throw new RebuildAbandonedError('Stopping: the rebuild was abandoned');
    if (this.lost) throw this.lost;
    // A holder paused past its TTL may have been replaced: it must not write once the lease lapsed.
    if (!this.lease.held()) throw new RebuildAbandonedError('The rebuild lease lapsed: another projector may be rebuilding');
  }

  /** Renews the lease now (one renewal at a time); throws, and fails every later check, once it is lost. */
  renew(): Promise<void> {
    this.renewing = this.renewing.then(async () => {
      if (this.lost) throw this.lost;
      try {
        if (!(await this.lease.acquire())) throw new RebuildAbandonedError('Another projector took the rebuild lease');
      } catch (error) {
        this.lost = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
    });
    return this.renewing;
  }

  /** No renewal after this resolves: the lease can be released. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing.catch(() => undefined);
  }
}

/** Collections every projection's rebuild writes besides its own. */
const BOOKKEEPING = new Set([PROJECTION_VERSIONS]);

/**
 * The scratch store as the rebuild writes it: each commit first checks that the lease is still
 * held, and refuses a collection no rebuilt projection declares (it would not be swapped in).
 */
class GuardedScratch extends DelegatingReadStore {
  private readonly declared: ReadonlySet<string>;

  constructor(
    scratch: ReadStore,
    collections: readonly string[],
    private readonly renewal: LeaseRenewal,
  ) {
    super(scratch);
    this.declared = new Set(collections);
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    this.renewal.check();
    const undeclared = changes.find(({ collection }) => !this.declared.has(collection) && !BOOKKEEPING.has(collection));
    if (undeclared) throw new Error(`A rebuilt projection wrote to ${undeclared.collection}, which it does not declare: it would not be swapped in`);
    await this.inner.commit(changes, checkpoint);
  }
}
