import { Logger } from '@nestjs/common';
import type { WebhookEndpointState } from '@scim/domain';
import { isPublicEventType, type PublicEvent } from '@scim/public-events';
import type { PublicEventLog } from '../events/public-event-log';
import type { DeliveryAttempt, DeliveryLog, DeliveryTrigger } from './delivery-log';
import { nextRetryDelay, type RetryPolicy } from './retry-schedule';
import type { AttemptOutcome } from './webhook-sender';

/** Public events read per round; the checkpoint moves at least this often on a busy endpoint. */
const EVENTS_PER_READ = 100;
/** Recorded events looked at per read, when few of them are for this endpoint. */
const SCAN_PER_READ = 5000;
/** Woken by new events of the account; this is only the fallback when a wake-up is missed. */
const IDLE_POLL_MS = 5000;
const RETRY_AFTER_ERROR_MS = 1000;

/** What a worker needs from the dispatcher that runs it. */
export interface WorkerContext {
  readonly events: PublicEventLog;
  readonly deliveries: DeliveryLog;
  readonly retry: RetryPolicy;
  /** The endpoint as the account's stream says it is now; undefined once deleted. */
  loadEndpoint(accountId: string, endpointId: string): Promise<WebhookEndpointState | undefined>;
  /** Signs and sends one event, within the process's bound on attempts in flight. */
  send(endpoint: WebhookEndpointState, event: PublicEvent): Promise<AttemptOutcome>;
  /** Gives up on the endpoint: recorded in the account's history, which its administrators see. */
  disable(accountId: string, endpointId: string, detail: string): Promise<void>;
  readonly logger: Logger;
}

/**
 * Delivers one endpoint's events, one at a time, in the account's log order, from its checkpoint.
 * An event is retried until it is delivered or the retry window ends (then the endpoint is
 * disabled); the next one waits, so order holds and nothing is skipped. Only this endpoint waits:
 * every endpoint has its own worker and checkpoint.
 */
export class EndpointWorker {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  private readonly running: Promise<void>;

  constructor(
    readonly accountId: string,
    readonly endpointId: string,
    private readonly context: WorkerContext,
    onExit: () => void,
  ) {
    this.running = this.run().finally(onExit);
  }

  /** New events for the account, or its endpoint changed: look again now. */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if ((await this.round()) === 'done') return;
      } catch (error) {
        // A store that failed (a dropped connection) is tried again from the checkpoint: nothing is skipped.
        this.context.logger.error(`Webhook ${this.endpointId}: ${error instanceof Error ? error.stack : String(error)}; retrying from its checkpoint`);
        await this.pause(RETRY_AFTER_ERROR_MS, false);
      }
    }
  }

  /** Reads the next events after the checkpoint and delivers them; 'done' when the endpoint is disabled or gone. */
  private async round(): Promise<'done' | 'more'> {
    const { events, deliveries } = this.context;
    const endpoint = await this.context.loadEndpoint(this.accountId, this.endpointId);
    if (!endpoint?.enabled) return 'done';
    this.pendingWake = false;
    const cursor = await deliveries.checkpoint(this.endpointId);
    const types = endpoint.eventTypes ? new Set(endpoint.eventTypes.filter(isPublicEventType)) : undefined;
    const read = await events.read(this.accountId, cursor, { limit: EVENTS_PER_READ, scanLimit: SCAN_PER_READ, ...(types ? { types } : {}) });
    const delivered = await this.deliverInOrder(endpoint, read.events, cursor);
    if (!delivered) return 'done';
    if (read.nextCursor > cursor) await deliveries.commit(this.endpointId, delivered.attempts, read.nextCursor);
    if (!read.hasMore && !this.pendingWake) await this.pause(IDLE_POLL_MS, true);
    return 'more';
  }

  /**
   * Delivers the events in order; attempts are committed with the checkpoint at the last event
   * delivered before each failure, so the log shows an outage while it lasts. Undefined when the
   * worker stopped or the endpoint was disabled meanwhile.
   */
  private async deliverInOrder(endpoint: WebhookEndpointState, batch: readonly PublicEvent[], from: number): Promise<{ attempts: DeliveryAttempt[] } | undefined> {
    let attempts: DeliveryAttempt[] = [];
    let deliveredTo = from;
    let current = endpoint;
    for (const event of batch) {
      let failures = 0;
      let failingSince = 0;
      for (;;) {
        if (this.stopped) {
          await this.context.deliveries.commit(this.endpointId, attempts, deliveredTo);
          return undefined;
        }
        const at = new Date();
        const outcome = await this.context.send(current, event);
        attempts.push(this.context.deliveries.attempt(this.base(event, 'automatic'), at, outcome));
        if (outcome.ok) break;
        await this.context.deliveries.commit(this.endpointId, attempts, deliveredTo);
        attempts = [];
        // The first failure seen by this process: earlier ones (before a restart) count too, unless the
        // endpoint changed since (re-enabled, new URL), which starts a new window.
        ({ failures, failingSince } = failures === 0 ? await this.context.deliveries.failuresOf(this.endpointId, event.id, current.updatedAt) : { failures: failures + 1, failingSince });
        const delay = nextRetryDelay(this.context.retry, failures, Date.now() - failingSince);
        if (delay === undefined) {
          await this.context.disable(this.accountId, this.endpointId, `${failures} attempts failed over ${Math.round((Date.now() - failingSince) / 1000)} s; last: ${outcome.error ?? 'failed'}`);
          return undefined;
        }
        await this.pause(delay, false);
        // The administrator may have fixed the URL, disabled or deleted the endpoint meanwhile.
        const reloaded = await this.context.loadEndpoint(this.accountId, this.endpointId);
        if (!reloaded?.enabled) return undefined;
        current = reloaded;
      }
      deliveredTo = Number(event.cursor);
    }
    return { attempts };
  }

  private base(event: PublicEvent, trigger: DeliveryTrigger) {
    return { endpointId: this.endpointId, accountId: this.accountId, eventId: event.id, eventType: event.type, cursor: event.cursor, trigger };
  }

  /** Sleeps `ms`; `wakeable`: new events end it early (a retry's backoff is kept, a stop ends both). */
  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = () => {
        if (wakeable || this.stopped) done();
      };
    });
  }
}
