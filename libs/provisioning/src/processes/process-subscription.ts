import type { EventStore, RecordedEvent, Subscription } from '@scim/event-store';
import { DEFAULT_SKIPPED_EVENTS_PER_CHECKPOINT, type ReadStore } from '@scim/read-models';
import type { CommandContext, ProvisioningLogger } from '../command-context';

const RESTART_DELAY_MS = 1000;

export interface ProcessSubscriptionOptions {
  /** Names the checkpoint in the read store and the logger. */
  readonly name: string;
  readonly streamPrefixes: readonly string[];
  /** Only these event types, when the process reacts to a few of its streams' events. */
  readonly eventTypes?: readonly string[];
  /** Reacts to one event; a throw stops the batch, which is retried from the checkpoint. */
  readonly react: (event: RecordedEvent) => Promise<void>;
  readonly logger: Pick<ProvisioningLogger, 'error'>;
}

/** For readiness and metrics: what a process manager is doing and how far it has read. */
export interface ProcessReport {
  readonly name: string;
  readonly state: 'running' | 'failing' | 'stopped';
  readonly position: number;
}

/**
 * A process manager's subscription: from its checkpoint in the read store, over some streams; the
 * checkpoint moves after each batch. A failing batch restarts the subscription from the
 * checkpoint, so reactions must be idempotent (they are commands with expected revisions).
 */
export class ProcessSubscription {
  private subscription?: Subscription;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private checkpointed = 0;
  /** Position through which every event has been reacted to or read past (for lag). */
  private readThrough = 0;
  /** Set when a batch fails; cleared by the next batch or skip that succeeds after the restart. */
  private failure?: Error;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadStore,
    private readonly options: ProcessSubscriptionOptions,
  ) {}

  /** Position up to which every reaction has been written. */
  checkpoint(): Promise<number> {
    return this.readStore.checkpoint(this.options.name);
  }

  async start(): Promise<void> {
    const fromPosition = await this.checkpoint();
    this.checkpointed = fromPosition;
    this.readThrough = fromPosition;
    this.subscription = this.eventStore.subscribeToAll(
      {
        fromPosition,
        streamPrefixes: this.options.streamPrefixes,
        ...(this.options.eventTypes ? { eventTypes: this.options.eventTypes } : {}),
        onSkipped: async (position) => {
          if (position - this.checkpointed >= DEFAULT_SKIPPED_EVENTS_PER_CHECKPOINT) await this.commitCheckpoint(position);
          this.progressed(position);
        },
      },
      (batch) => this.handle(batch),
      (error) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
        this.options.logger.error(`${this.options.name} stopped at a failing batch; restarting from the checkpoint: ${error instanceof Error ? error.stack : String(error)}`);
        if (!this.stopped) this.restartTimer = setTimeout(() => void this.start(), RESTART_DELAY_MS);
      },
    );
    // A subscription that failed outside a batch leaves nothing to retry when the log ends at its checkpoint.
    if (this.failure && (await this.eventStore.headPosition()) <= fromPosition) this.failure = undefined;
  }

  /** For readiness and metrics: 'failing' from a failed batch until a batch succeeds after the restart. */
  report(): ProcessReport {
    const state = this.stopped || !this.subscription ? 'stopped' : this.failure ? 'failing' : 'running';
    return { name: this.options.name, state, position: this.readThrough };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.subscription?.close();
  }

  private async handle(batch: readonly RecordedEvent[]): Promise<void> {
    for (const event of batch) await this.options.react(event);
    const last = batch[batch.length - 1];
    if (last) {
      await this.commitCheckpoint(last.position);
      this.progressed(last.position);
    }
  }

  private progressed(position: number): void {
    this.readThrough = Math.max(this.readThrough, position);
    this.failure = undefined;
  }

  private async commitCheckpoint(position: number): Promise<void> {
    await this.readStore.commit([], { projection: this.options.name, position });
    this.checkpointed = position;
  }
}

/**
 * A process manager: subscribed from its checkpoint when started, stopped waiting for the batch in
 * flight. Runs where the projections run (the embedded service, or apps/projector), so its work
 * is done once. Subclasses say which events they read and how they react.
 */
export abstract class ProcessManager {
  private readonly subscription: ProcessSubscription;

  protected constructor(eventStore: EventStore, readStore: ReadStore, options: Omit<ProcessSubscriptionOptions, 'react'>) {
    this.subscription = new ProcessSubscription(eventStore, readStore, { ...options, react: (event) => this.react(event) });
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  /** Position up to which every reaction has been written (tests wait for it). */
  checkpoint(): Promise<number> {
    return this.subscription.checkpoint();
  }

  report(): ProcessReport {
    return this.subscription.report();
  }

  protected abstract react(event: RecordedEvent): Promise<void>;
}

/**
 * The context of a command a process issues in reaction to `event`: same account and correlation
 * id (the IdP request behind it), caused by the event, at the event's time (replays stay identical).
 */
export function reactionContext(event: RecordedEvent, process: string): CommandContext {
  return {
    accountId: String(event.metadata.accountId),
    actor: { kind: 'system', process },
    requestId: String(event.metadata.correlationId ?? event.id),
    causationId: event.id,
    at: String(event.metadata.occurredAt ?? event.recordedAt),
  };
}
