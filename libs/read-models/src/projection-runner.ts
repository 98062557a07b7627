import type { EventStore, RecordedEvent, Subscription } from '@scim/event-store';
import { CatchUpTracker, withinTime } from './catch-up';
import { loaderFor, projectBatch, type DocumentLoader } from './project-batch';
import type { Projection } from './projection';
import { projectionVersionChange } from './projection-versions';
import { type RebuildWriter, storeWriter } from './rebuild-writer';
import type { Checkpoint, DocumentChange, ReadStore } from './read-store.port';
import { splitIntoSubCommits } from './store-limits';

/** Structurally compatible with Nest's Logger, without depending on Nest. */
export interface RunnerLogger {
  log(message: string): void;
  error(message: string, error?: unknown): void;
}

export type ProjectionState = 'stopped' | 'running' | 'failed';

export interface ProjectionStatus {
  readonly projection: string;
  readonly state: ProjectionState;
  /** Last position this runner committed or loaded at start. */
  readonly checkpoint: number;
  /** Position the projection is known to include: its checkpoint, or beyond past other streams' events. */
  readonly readThrough: number;
  /** Why the projection stopped, when `state` is 'failed'. */
  readonly error?: Error;
}

export interface ProjectionLag {
  readonly checkpoint: number;
  /** Position of the last event in the whole log (not only the projection's streams). */
  readonly head: number;
}

export interface RebuildProgress {
  /** Events read and projected; events of streams that no projection reads are not even read. */
  readonly events: number;
  /** Position of the last event read. */
  readonly position: number;
  /** Head of the log when the rebuild started. */
  readonly head: number;
  readonly eventsPerSecond: number;
}

export interface ProjectionRunnerOptions {
  readonly logger?: RunnerLogger;
  /** Events per batch delivered by the live subscriptions (event store default otherwise). */
  readonly batchSize?: number;
  /** Events per batch read by `rebuild`. */
  readonly rebuildBatchSize?: number;
  /** How often `waitFor` re-checks when no commit wakes it up. */
  readonly waitPollMs?: number;
  /**
   * How far past its checkpoint a projection must have read other streams' events alone before it
   * stores the position it reached (default 1,000), so that a restart does not read them again.
   */
  readonly skippedEventsPerCheckpoint?: number;
}

// Small enough that a batch's events, documents and JSON die young: at 5,000 they outgrew V8's
// young generation and were promoted, and garbage collection took a third of a rebuild (1M
// events: 34.8 s at 5,000, 22-24 s at 100-250).
const DEFAULT_REBUILD_BATCH_SIZE = 250;
const DEFAULT_WAIT_POLL_MS = 50;
/** Other streams' events read past before a subscriber stores its checkpoint anyway (processes use it too). */
export const DEFAULT_SKIPPED_EVENTS_PER_CHECKPOINT = 1_000;

const consoleLogger: RunnerLogger = {
  log: (message) => console.log(message),
  error: (message, error) => console.error(message, error),
};

interface RunningProjection {
  readonly projection: Projection;
  state: ProjectionState;
  checkpoint: number;
  /**
   * Position the subscription has read through, beyond the stored checkpoint when the events since
   * were other streams' (not stored each time): what this process knows the projection includes.
   */
  seenThrough: number;
  /** Bumped on every start, so a late batch of an abandoned subscription is ignored. */
  generation: number;
  subscription?: Subscription;
  closing: Promise<void>;
  error?: Error;
}

/**
 * Runs projections from the event store into a read store: one catch-up subscription per
 * projection from its checkpoint; each delivered batch becomes one atomic commit of documents
 * and checkpoint. A projection whose `targets`/`evolve` throws, or whose commit fails, stops at
 * its checkpoint (the failing batch is not committed, no event is skipped) and reports why in
 * `status()`; `start()` retries it from there.
 */
export class ProjectionRunner {
  private readonly projections: readonly RunningProjection[];
  private readonly logger: RunnerLogger;
  private readonly load: DocumentLoader;
  private readonly catchUp: CatchUpTracker;
  /** The event store has reported a subscription reading past other streams' events (not every adapter can). */
  private subscriptionsReportSkips = false;
  private progress = new ProgressSignal();

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    projections: readonly Projection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    const names = projections.map((projection) => projection.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) throw new Error(`Two projections are named ${duplicate}: checkpoints would collide`);
    this.projections = projections.map((projection) => ({
      projection,
      state: 'stopped',
      checkpoint: 0,
      seenThrough: 0,
      generation: 0,
      closing: Promise.resolve(),
    }));
    this.logger = options.logger ?? consoleLogger;
    this.load = loaderFor(readStore);
    this.catchUp = new CatchUpTracker(eventStore);
  }

  /** Subscribes every projection that is not running (stopped or failed) from its checkpoint. */
  async start(): Promise<void> {
    for (const running of this.projections) {
      if (running.state === 'running') continue;
      await running.closing;
      const { name, streamPrefixes } = running.projection;
      running.checkpoint = await this.readStore.checkpoint(name);
      running.seenThrough = running.checkpoint;
      running.state = 'running';
      running.error = undefined;
      const generation = ++running.generation;
      try {
        running.subscription = this.eventStore.subscribeToAll(
          {
            fromPosition: running.checkpoint,
            streamPrefixes: streamPrefixes.length > 0 ? streamPrefixes : undefined,
            ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}),
            onSkipped: (position) => this.skipTo(running, generation, position),
          },
          (events) => this.projectDelivered(running, generation, events),
          (error) => this.fail(running, generation, error),
        );
      } catch (error) {
        this.fail(running, generation, error);
        continue;
      }
      this.logger.log(`Projection ${name} started from position ${running.checkpoint}`);
    }
  }

  /** Closes every subscription, waiting for batches in flight to be committed. */
  async stop(): Promise<void> {
    for (const running of this.projections) {
      if (running.state !== 'running') continue;
      running.state = 'stopped';
      const subscription = running.subscription;
      running.subscription = undefined;
      if (subscription) running.closing = subscription.close();
    }
    await Promise.all(this.projections.map((running) => running.closing));
    this.progress.notify();
  }

  status(): ProjectionStatus[] {
    return this.projections.map(({ projection, state, checkpoint, seenThrough, error }) => ({
      projection: projection.name,
      state,
      checkpoint,
      readThrough: Math.max(checkpoint, seenThrough),
      ...(error ? { error } : {}),
    }));
  }

  async lag(): Promise<Record<string, ProjectionLag>> {
    const head = await this.eventStore.headPosition();
    const entries = await Promise.all(
      this.projections.map(async ({ projection }) => {
        const checkpoint = await this.readStore.checkpoint(projection.name);
        return [projection.name, { checkpoint, head }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /**
   * Resolves true once every projection includes `position`: its checkpoint reached it, or no event
   * of its streams lies between its checkpoint and `position` (the event store is asked, since a
   * subscription filtered by stream never sees the other events). Resolves false when `timeoutMs`
   * runs out, or at once when a projection has failed.
   */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Taken before checking, so a commit landing during the check still wakes us.
      const progressed = this.progress.next();
      // Raced against the deadline: a scan of the log cannot hold a write's response past it.
      const verdict = await withinTime(this.verdictAt(position), deadline - Date.now(), 'behind');
      if (verdict !== 'behind') return verdict === 'caught-up';
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await untilOrTimeout(progressed, Math.min(remaining, this.options.waitPollMs ?? DEFAULT_WAIT_POLL_MS));
    }
  }

  /**
   * Runs every projection over the whole log into `target` (cleared first) in large batches, then
   * resolves with the totals. The result equals the live read model, checkpoints included (a live
   * checkpoint may also have moved on past other streams' events, see `skipTo`), and records each
   * projection's version in it.
   */
  async rebuild(target: ReadStore, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildProgress> {
    if (target === this.readStore && this.projections.some((running) => running.state === 'running')) {
      throw new Error('Rebuild into a fresh store: this one is being written by running projections');
    }
    await target.clear();
    return this.rebuildThrough(storeWriter(target), onProgress);
  }

  /**
   * `rebuild` into an empty store written through `writer` (finished before this resolves, also on
   * failure). Documents this rebuild has not written are known to be absent, so only the others
   * are loaded: a log of new users loads nothing.
   */
  async rebuildThrough(writer: RebuildWriter, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildProgress> {
    const written = new Map<string, Set<string>>();
    const load: DocumentLoader = async (collection, ids) => {
      const known = written.get(collection);
      const present = known ? ids.filter((id) => known.has(id)) : [];
      return present.length === 0 ? new Map() : writer.load(collection, present);
    };
    const checkpoints = new Map(this.projections.map(({ projection }) => [projection.name, 0]));
    try {
      const head = await this.eventStore.headPosition();
      const startedAt = performance.now();
      let progress: RebuildProgress = { events: 0, position: 0, head, eventsPerSecond: 0 };
      const batches = this.eventStore.readAll({
        batchSize: this.options.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH_SIZE,
        streamPrefixes: this.streamsRead(),
      });
      for await (const batch of batches) {
        if (batch.length === 0) continue;
        for (const { projection } of this.projections) {
          const relevant = batch.filter((event) => matchesPrefixes(event.streamId, projection.streamPrefixes));
          if (relevant.length === 0) continue;
          const changes = await projectBatch(projection, relevant, load);
          for (const { collection, id, doc } of changes) {
            let ids = written.get(collection);
            if (!ids) written.set(collection, (ids = new Set()));
            if (doc === null) ids.delete(id);
            else ids.add(id);
          }
          // The position of its own last event, as the live subscription would have committed.
          const position = relevant[relevant.length - 1].position;
          await writer.commit(changes, { projection: projection.name, position, after: checkpoints.get(projection.name) as number });
          checkpoints.set(projection.name, position);
        }
        const events = progress.events + batch.length;
        const seconds = (performance.now() - startedAt) / 1000;
        progress = { events, position: batch[batch.length - 1].position, head, eventsPerSecond: seconds > 0 ? events / seconds : 0 };
        onProgress?.(progress);
      }
      // The rebuilt documents are of this code's shape, whatever the store held before.
      for (const { projection } of this.projections) {
        const position = checkpoints.get(projection.name) as number;
        await writer.commit([projectionVersionChange(projection)], { projection: projection.name, position, after: position });
      }
      await writer.finish();
      return progress;
    } catch (error) {
      await writer.finish().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The stream prefixes some projection reads, or undefined when one reads every stream. The event
   * store then skips the others' events (userName reservations, …) without decoding them.
   */
  private streamsRead(): readonly string[] | undefined {
    if (this.projections.some(({ projection }) => projection.streamPrefixes.length === 0)) return undefined;
    const prefixes = new Set(this.projections.flatMap(({ projection }) => projection.streamPrefixes));
    // A prefix that another one starts with adds nothing.
    const minimal = [...prefixes].filter((prefix) => ![...prefixes].some((other) => other !== prefix && prefix.startsWith(other)));
    return minimal.length > 0 ? minimal : undefined;
  }

  private async projectDelivered(
    running: RunningProjection,
    generation: number,
    events: readonly RecordedEvent[],
  ): Promise<void> {
    if (running.state !== 'running' || running.generation !== generation) return;
    // At-least-once delivery: whatever the checkpoint already covers is not applied again.
    const fresh = events.filter((event) => event.position > running.checkpoint);
    if (fresh.length === 0) return;
    try {
      await this.projectAndCommit(running, fresh);
    } catch (error) {
      this.fail(running, generation, error);
    }
  }

  /**
   * Projects the events and commits them with the checkpoint of the last. When their changes do
   * not fit one commit, the events are halved and each half committed in turn, so every commit
   * still carries whole events and moves the checkpoint (a crash, or a second projector, finds a
   * checkpoint that matches the documents). Only one event too large alone is cut into sub-commits.
   */
  private async projectAndCommit(running: RunningProjection, events: readonly RecordedEvent[]): Promise<void> {
    const parts = splitIntoSubCommits(await projectBatch(running.projection, events, this.load));
    if (events.length > 1 && parts.length > 1) {
      const half = Math.ceil(events.length / 2);
      await this.projectAndCommit(running, events.slice(0, half));
      await this.projectAndCommit(running, events.slice(half));
      return;
    }
    const position = events[events.length - 1].position;
    await commitInParts(this.readStore, parts, { projection: running.projection.name, position }, running.checkpoint);
    running.checkpoint = Math.max(running.checkpoint, position);
    this.progress.notify();
  }

  /**
   * The subscription read up to `position` without an event of the projection's streams since the
   * last one: the checkpoint may move there (nothing of the projection lies between), and is stored
   * once far enough ahead, so a start after a long import of other streams does not rescan them.
   */
  private async skipTo(running: RunningProjection, generation: number, position: number): Promise<void> {
    if (running.state !== 'running' || running.generation !== generation) return;
    // Known at once to writes waiting for their position: no need to ask the event store.
    this.subscriptionsReportSkips = true;
    if (position > running.seenThrough) {
      running.seenThrough = position;
      this.progress.notify();
    }
    const distance = this.options.skippedEventsPerCheckpoint ?? DEFAULT_SKIPPED_EVENTS_PER_CHECKPOINT;
    if (position - running.checkpoint < distance) return;
    try {
      await this.readStore.commit([], { projection: running.projection.name, position, after: running.checkpoint });
    } catch (error) {
      this.fail(running, generation, error);
      return;
    }
    running.checkpoint = Math.max(running.checkpoint, position);
    this.progress.notify();
  }

  private fail(running: RunningProjection, generation: number, error: unknown): void {
    if (running.generation !== generation || running.state === 'failed') return;
    running.state = 'failed';
    running.error = error instanceof Error ? error : new Error(String(error));
    this.logger.error(
      `Projection ${running.projection.name} stopped at position ${running.checkpoint}: ${running.error.message}`,
      error,
    );
    const subscription = running.subscription;
    running.subscription = undefined;
    // Not awaited: this may run inside the subscription's own handler, which close() waits for.
    running.closing = (subscription?.close() ?? Promise.resolve()).catch((closeError: unknown) =>
      this.logger.error(`Closing the subscription of ${running.projection.name} failed`, closeError),
    );
    this.progress.notify();
  }

  private async verdictAt(position: number): Promise<'caught-up' | 'behind' | 'failed'> {
    for (const { projection, state, checkpoint, seenThrough } of this.projections) {
      const included = state === 'running' ? Math.max(checkpoint, seenThrough) : checkpoint;
      if (this.catchUp.knownToInclude(projection, included, position)) continue;
      if (state === 'failed') return 'failed';
      // Its subscription will commit the position or say it read past it: waiting for that is
      // cheaper than scanning the log, once the event store is known to report such reads.
      if (state === 'running' && this.subscriptionsReportSkips) return 'behind';
      if (!(await this.catchUp.includes(projection, included, position))) return 'behind';
    }
    return 'caught-up';
  }
}

/**
 * Commits a batch's changes, split by `splitIntoSubCommits` into parts that each stay within the
 * store's limits (MongoDB's 16 MiB); only the last moves the checkpoint, the others restate
 * `previousPosition`. A crash between them replays the batch from the checkpoint, and documents
 * already written carry a `_position` that makes their events no-ops. Most batches are one part; a
 * split one may show readers part of a batch, and two documents swapping a unique key across parts fail.
 */
export async function commitInParts(store: ReadStore, parts: readonly (readonly DocumentChange[])[], checkpoint: Checkpoint, previousPosition: number): Promise<void> {
  // Each part is refused if another runner moved the checkpoint past the one this batch read.
  const after = previousPosition;
  for (let index = 0; index < parts.length - 1; index++) {
    await store.commit(parts[index], { projection: checkpoint.projection, position: previousPosition, after });
  }
  await store.commit(parts[parts.length - 1], { ...checkpoint, after });
}

function matchesPrefixes(streamId: string, prefixes: readonly string[]): boolean {
  return prefixes.length === 0 || prefixes.some((prefix) => streamId.startsWith(prefix));
}

/** One promise shared by all waiters, replaced after each notification. */
class ProgressSignal {
  private resolveCurrent: () => void = () => undefined;
  private current: Promise<void>;

  constructor() {
    this.current = this.fresh();
  }

  next(): Promise<void> {
    return this.current;
  }

  notify(): void {
    const resolve = this.resolveCurrent;
    this.current = this.fresh();
    resolve();
  }

  private fresh(): Promise<void> {
    return new Promise<void>((resolve) => (this.resolveCurrent = resolve));
  }
}

async function untilOrTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
