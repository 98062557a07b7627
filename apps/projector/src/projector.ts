import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventStore } from '@scim/event-store';
import type { ProcessManager, ProcessReport } from '@scim/provisioning';
import {
  CatchUpTracker,
  describeStale,
  type IndexSpec,
  type Projection,
  ProjectionRunner,
  type ReadStore,
  rebuildStaleReadModels,
  recordProjectionVersions,
  type RunnerLogger,
  type ScratchSpace,
  type StaleProjection,
  staleProjections,
} from '@scim/read-models';

export interface ProjectorOptions {
  readonly eventStore: EventStore;
  readonly readStore: ReadStore;
  readonly projections: readonly Projection[];
  /** Created (idempotently) before projecting, and on a rebuild's scratch collections before they fill. */
  readonly indexes?: Readonly<Record<string, readonly IndexSpec[]>>;
  /**
   * How read models of another projection version are rebuilt: beside the live ones, which readers
   * keep using, then swapped in (MongoDB's scratch collections). Without it (a store with no
   * scratch space), the projector refuses to start on them.
   */
  readonly rebuild?: ProjectorRebuildOptions;
  readonly logger: RunnerLogger;
  /**
   * The process managers (roles via groups, deleted users leave groups): run here, once per
   * deployment, never in the API replicas. Started after the projections, stopped before them.
   */
  readonly processManagers?: readonly ProcessManager[];
  /** How often the lag is logged; 0 turns it off. */
  readonly lagLogIntervalMs?: number;
  /** How often failed projections are looked for. */
  readonly superviseEveryMs?: number;
  /** Pause before the second restart of a failed projection, doubled up to `maxRestartDelayMs`. */
  readonly firstRestartDelayMs?: number;
  readonly maxRestartDelayMs?: number;
}

export interface ProjectorRebuildOptions {
  readonly space: ScratchSpace;
  /** The collections a projection writes: its rebuild swaps exactly these in. */
  readonly collectionsOf: (projection: string) => readonly string[];
  /** The rebuild lease's TTL (one projector rebuilds at a time). */
  readonly leaseTtlMs?: number;
  /** Pause between two looks at another projector's rebuild. */
  readonly waitMs?: number;
  /** Events between two progress lines. */
  readonly progressEvery?: number;
}

export interface ProjectorHealth {
  /** 'ok' while every projection runs; 'failing' while one waits for its restart. */
  readonly status: 'starting' | 'ok' | 'failing' | 'stopping';
  readonly projections: ReadonlyArray<{ readonly projection: string; readonly state: string; readonly checkpoint: number; readonly error?: string }>;
  readonly processManagers: readonly ProcessReport[];
}

export interface ProjectorLag {
  /** Position of the last event in the log. */
  readonly head: number;
  /**
   * Per projection: its checkpoint, and whether its read model includes every event of its
   * streams up to the head (a projection whose streams are quiet lags the head and misses nothing).
   */
  readonly projections: Readonly<Record<string, { readonly checkpoint: number; readonly caughtUp: boolean }>>;
}

/**
 * The read models were built by another version of a projection, and the projector was given no
 * scratch space to rebuild them in (production always gives MongoDB's): it does not project on them.
 */
export class StaleReadModelsError extends Error {
  constructor(readonly stale: readonly StaleProjection[]) {
    super(
      `The read models were built by other projection versions (${describeStale(stale)}): ` +
        'the projector has no scratch space to rebuild them in',
    );
    this.name = 'StaleReadModelsError';
  }
}

/**
 * The projector process: rebuilds read models of another projection version beside the live ones
 * (`rebuild`), runs the projections from their checkpoints (the runner resumes where
 * the last commit stopped: nothing lost, nothing applied twice), restarts a failed projection with
 * a backoff (a subscription ends when the EventStoreDB leader changes; a poison event keeps failing
 * and stays visible in /health), and logs the lag.
 */
export class Projector {
  private readonly runner: ProjectionRunner;
  private readonly catchUp: CatchUpTracker;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private readonly timers: NodeJS.Timeout[] = [];
  private restartDelayMs: number;
  private nextRestartAt = 0;
  private lastRestartAt = 0;
  private supervising: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProjectorOptions) {
    this.runner = new ProjectionRunner(options.eventStore, options.readStore, options.projections, { logger: options.logger });
    this.catchUp = new CatchUpTracker(options.eventStore);
    this.restartDelayMs = this.firstRestartDelayMs;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`The projector cannot start once ${this.state}`);
    this.state = 'starting';
    await this.createIndexes(this.options.readStore);
    await this.rebuildStaleReadModels();
    await recordProjectionVersions(this.options.readStore, this.options.projections);
    await this.runner.start();
    for (const manager of this.processManagers) await manager.start();
    this.state = 'running';
    this.every(this.options.superviseEveryMs ?? 1_000, () => {
      this.supervising = this.supervising.then(() => this.restartFailed());
    });
    if (this.options.lagLogIntervalMs) this.every(this.options.lagLogIntervalMs, () => void this.logLag());
  }

  /** Stops projecting; a batch in flight is committed first. The stores stay open. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.supervising;
    await Promise.all(this.processManagers.map((manager) => manager.stop()));
    await this.runner.stop();
    this.state = 'stopped';
  }

  /** Documents of an older shape are never projected on: they are rebuilt, or the projector stops. */
  private async rebuildStaleReadModels(): Promise<void> {
    const { eventStore, readStore, projections, rebuild, logger } = this.options;
    if (!rebuild) {
      const stale = await staleProjections(readStore, projections);
      if (stale.length > 0) throw new StaleReadModelsError(stale);
      return;
    }
    await rebuildStaleReadModels({
      eventStore,
      live: readStore,
      projections,
      logger,
      ...rebuild,
      prepare: (store) => this.createIndexes(store),
      holder: `${hostname()}:${process.pid}:${randomUUID()}`,
      stopping: () => this.state !== 'starting',
    });
  }

  private async createIndexes(store: ReadStore): Promise<void> {
    for (const [collection, indexes] of Object.entries(this.options.indexes ?? {})) await store.ensureIndexes(collection, indexes);
  }

  health(): ProjectorHealth {
    const projections = this.runner.status().map(({ projection, state, checkpoint, error }) => ({
      projection,
      state,
      checkpoint,
      ...(error ? { error: error.message } : {}),
    }));
    const processManagers = this.processManagers.map((manager) => manager.report());
    const status =
      this.state === 'new' || this.state === 'starting'
        ? 'starting'
        : this.state !== 'running'
          ? 'stopping'
          : projections.every((projection) => projection.state === 'running') && processManagers.every((manager) => manager.state === 'running')
            ? 'ok'
            : 'failing';
    return { status, projections, processManagers };
  }

  async lag(): Promise<ProjectorLag> {
    const lags = await this.runner.lag();
    let head = 0;
    const projections: Record<string, { checkpoint: number; caughtUp: boolean }> = {};
    for (const projection of this.options.projections) {
      const { checkpoint, head: logHead } = lags[projection.name];
      head = logHead;
      projections[projection.name] = { checkpoint, caughtUp: await this.catchUp.includes(projection, checkpoint, logHead) };
    }
    return { head, projections };
  }

  private get processManagers(): readonly ProcessManager[] {
    return this.options.processManagers ?? [];
  }

  private get firstRestartDelayMs(): number {
    return this.options.firstRestartDelayMs ?? 1_000;
  }

  private every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async restartFailed(): Promise<void> {
    if (this.state !== 'running') return;
    const failed = this.runner.status().filter((status) => status.state === 'failed');
    const now = Date.now();
    if (failed.length === 0) {
      // Running steadily since the last restart: the next failure starts the backoff afresh.
      if (now - this.lastRestartAt >= (this.options.maxRestartDelayMs ?? 60_000)) this.restartDelayMs = this.firstRestartDelayMs;
      return;
    }
    if (now < this.nextRestartAt) return;
    this.options.logger.log(
      `Restarting ${failed.map((status) => `${status.projection} (at ${status.checkpoint}: ${status.error?.message ?? 'failed'})`).join(', ')}; ` +
        `next attempt in ${this.restartDelayMs} ms at the earliest`,
    );
    this.lastRestartAt = now;
    this.nextRestartAt = now + this.restartDelayMs;
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, this.options.maxRestartDelayMs ?? 60_000);
    try {
      await this.runner.start();
    } catch (error) {
      this.options.logger.error('Restarting the failed projections failed', error);
    }
  }

  private async logLag(): Promise<void> {
    try {
      const { head, projections } = await this.lag();
      const parts = Object.entries(projections).map(
        ([name, { checkpoint, caughtUp }]) => `${name} at ${checkpoint}${caughtUp ? ' (caught up)' : ' (behind)'}`,
      );
      this.options.logger.log(`Lag: head ${head}; ${parts.join(', ')}`);
    } catch (error) {
      this.options.logger.error('Could not measure the lag', error);
    }
  }
}
