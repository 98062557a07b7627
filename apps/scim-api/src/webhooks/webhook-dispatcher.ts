import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { accountDecider, accountStream, type AccountState, type WebhookEndpointState } from '@scim/domain';
import { randomUUID } from 'node:crypto';
import { aggregateStream, EventStore, type Subscription } from '@scim/event-store';
import { ReadStore, ReadStoreLease } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import type { WebhookMessage } from '@scim/public-events';
import { streamModel } from '@scim/provisioning';
import { RunAccountCommand } from '../admin/account-command';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { resolvePlatformKey } from '../config/operator-key';
import { PublicEventLog } from '../events/public-event-log';
import { DeliveryLog, type DeliveryAttempt, type DeliveryTrigger } from './delivery-log';
import { EndpointWorker, type WorkerContext } from './endpoint-worker';
import { endpointSecret, signedHeaders } from './webhook-signature';
import { sendWebhook, type AttemptOutcome } from './webhook-sender';

export const WEBHOOK_SECRETS_KEY_FILE = 'webhook-secrets.key';
/** The read-store lease whose holder, one replica of the API, delivers every endpoint's events. */
export const WEBHOOK_DELIVERY_LEASE = 'webhook-delivery';

/** Sending stopped because another replica may have taken the delivery over; the worker is being stopped. */
class DeliveryLeaseLostError extends Error {
  override readonly name = 'DeliveryLeaseLostError';
}

/** Bounds the attempts in flight over all endpoints: a flood of endpoints cannot open unbounded connections. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}

/**
 * Runs one delivery worker per enabled webhook endpoint, each from its own durable checkpoint over
 * the event log. A subscription from the head of the log only wakes the workers of the accounts
 * whose events arrive (the checkpoints, not this subscription, say what was delivered), and
 * starts or stops workers when an endpoint is registered, enabled, disabled or deleted.
 *
 * Only the replica holding the delivery lease (in the read store) runs workers, so each event is
 * sent once however many replicas run; the others try to take the lease every third of its TTL.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private readonly workers = new Map<string, EndpointWorker>();
  private readonly slots: Slots;
  private readonly platformKey: string;
  private readonly context: WorkerContext;
  private doorbell?: Subscription;
  private stopped = false;
  private readonly lease: ReadStoreLease;
  /** Workers run while true: this replica holds the lease. */
  private delivering = false;
  private leaseTimer?: NodeJS.Timeout;
  /** The lease round in flight, awaited at shutdown. */
  private leaseRound: Promise<void> = Promise.resolve();
  /** Cuts the attempts in flight at shutdown; they are not recorded as delivered, so they are sent again after the restart. */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly commandBus: CommandBus,
    events: PublicEventLog,
    private readonly deliveries: DeliveryLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { webhooks } = config;
    this.slots = new Slots(webhooks.maxInFlight);
    this.platformKey = resolvePlatformKey(config, { variable: 'WEBHOOK_SECRETS_KEY', configured: webhooks.secretsKey, file: WEBHOOK_SECRETS_KEY_FILE }).key;
    this.lease = new ReadStoreLease(readStore, { name: WEBHOOK_DELIVERY_LEASE, holder: randomUUID(), ttlMs: webhooks.leaseTtlMs });
    this.context = {
      events,
      deliveries,
      retry: { initialDelayMs: webhooks.retryInitialDelayMs, maxDelayMs: webhooks.retryMaxDelayMs, windowMs: webhooks.retryWindowMs },
      logger: this.logger,
      loadEndpoint: (accountId, endpointId) => this.endpoint(accountId, endpointId),
      send: (endpoint, event) => this.sendInOrder(endpoint, event),
      disable: (accountId, endpointId, detail) => this.disable(accountId, endpointId, detail),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const fromPosition = await this.store.headPosition();
    this.doorbell = this.store.subscribeToAll(
      { fromPosition },
      (batch) => {
        const accounts = new Set<string>();
        const reconfigured = new Set<string>();
        for (const event of batch) {
          const accountId = event.metadata.accountId;
          if (typeof accountId !== 'string') continue;
          accounts.add(accountId);
          if (event.type.startsWith('Webhook')) reconfigured.add(accountId);
        }
        for (const accountId of reconfigured) {
          this.refresh(accountId).catch((error) => this.logger.error(`Webhooks of account ${accountId} not refreshed: ${String(error)}`));
        }
        for (const worker of this.workers.values()) if (accounts.has(worker.accountId)) worker.wake();
      },
      (error) => this.logger.error(`Webhook wake-up subscription failed; workers fall back to polling: ${String(error)}`),
    );
    await this.holdLease();
    let inFlight = false;
    this.leaseTimer = setInterval(() => {
      // A slow round (many accounts to start) is not overlapped by the next.
      if (inFlight) return;
      inFlight = true;
      this.leaseRound = this.holdLease()
        .catch((error) => this.logger.error(`Webhook delivery lease not renewed: ${String(error)}`))
        .finally(() => (inFlight = false));
    }, Math.floor(this.config.webhooks.leaseTtlMs / 3));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.leaseTimer);
    this.shutdown.abort();
    await this.leaseRound;
    await this.doorbell?.close();
    await this.stopWorkers();
    // Handed over now rather than after the TTL: another replica delivers from the checkpoints at its next try.
    await this.lease.release();
  }

  /** Takes or renews the lease; starts the workers when it is taken, stops them when it is lost. */
  private async holdLease(): Promise<void> {
    if (this.stopped) return;
    const held = await this.lease.acquire();
    if (held && !this.delivering) {
      this.delivering = true;
      this.logger.log('This replica holds the webhook delivery lease: delivering');
      // Events written before this are found by each worker from its checkpoint.
      const accounts = await this.readStore.find<AccountView>(Collections.accounts, { webhooks: { $elemMatch: { enabled: true } } }, { fields: ['_id'] });
      for (const { _id } of accounts) await this.refresh(_id);
    } else if (!held && this.delivering) {
      this.delivering = false;
      this.logger.warn('The webhook delivery lease went to another replica: delivery stopped here');
      await this.stopWorkers();
    }
  }

  private async stopWorkers(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
  }

  /** Starts a worker for each enabled endpoint of the account that has none, and wakes the others. */
  async refresh(accountId: string): Promise<void> {
    if (this.stopped || !this.delivering) return;
    const account = await this.accountState(accountId);
    for (const endpoint of account.status === 'open' ? account.webhooks : []) {
      const running = this.workers.get(endpoint.endpointId);
      if (running) running.wake();
      else if (endpoint.enabled) await this.start(accountId, endpoint);
    }
  }

  /** Sends one event now, outside the ordered delivery (a test event, a manual redelivery), and logs it. */
  async sendNow(accountId: string, endpoint: WebhookEndpointState, event: WebhookMessage, trigger: DeliveryTrigger): Promise<DeliveryAttempt> {
    const at = new Date();
    const outcome = await this.send(endpoint, event);
    const attempt = this.deliveries.attempt(
      { endpointId: endpoint.endpointId, accountId, eventId: event.id, eventType: event.type, cursor: trigger === 'test' ? null : event.cursor, trigger },
      at,
      outcome,
    );
    await this.deliveries.record(attempt);
    return attempt;
  }

  /** The endpoint's signing secret (shown once, at registration and rotation). */
  secretOf(endpoint: WebhookEndpointState): string {
    return endpointSecret(this.platformKey, endpoint.endpointId, endpoint.secretVersion);
  }

  private async start(accountId: string, endpoint: WebhookEndpointState): Promise<void> {
    // A new endpoint is sent what happens from its registration on, not the account's past.
    if ((await this.deliveries.checkpoint(endpoint.endpointId)) === 0) {
      await this.deliveries.commit(endpoint.endpointId, [], await this.registrationPosition(accountId, endpoint.endpointId));
    }
    if (this.workers.has(endpoint.endpointId) || this.stopped || !this.delivering) return;
    const worker = new EndpointWorker(accountId, endpoint.endpointId, this.context, () => {
      if (this.workers.get(endpoint.endpointId) === worker) this.workers.delete(endpoint.endpointId);
    });
    this.workers.set(endpoint.endpointId, worker);
  }

  private async registrationPosition(accountId: string, endpointId: string): Promise<number> {
    const registered = (await this.store.readStream(accountStream(accountId))).find(
      (event) => event.type === 'WebhookEndpointRegistered' && event.data.endpointId === endpointId,
    );
    return registered?.position ?? (await this.store.headPosition());
  }

  /** The workers' send: only while the lease is held, so that no two replicas send the same event. */
  private async sendInOrder(endpoint: WebhookEndpointState, event: WebhookMessage): Promise<AttemptOutcome> {
    if (!this.lease.held()) throw new DeliveryLeaseLostError(`The webhook delivery lease expired before ${event.id} was sent to ${endpoint.endpointId}`);
    return this.send(endpoint, event);
  }

  private send(endpoint: WebhookEndpointState, event: WebhookMessage): Promise<AttemptOutcome> {
    const body = JSON.stringify(event);
    const headers = signedHeaders(this.secretOf(endpoint), event.id, Math.floor(Date.now() / 1000), body);
    const { timeoutMs, allowPrivateTargets } = this.config.webhooks;
    return this.slots.run(() => sendWebhook(endpoint.url, { ...headers }, body, { timeoutMs, allowPrivateTargets, signal: this.shutdown.signal }));
  }

  private async disable(accountId: string, endpointId: string, detail: string): Promise<void> {
    this.logger.warn(`Webhook endpoint ${endpointId} of account ${accountId} disabled: ${detail}`);
    const context = { accountId, actor: { kind: 'system', process: 'webhooks' } as const, requestId: `webhooks:${endpointId}`, at: new Date().toISOString() };
    await this.commandBus.execute(new RunAccountCommand(context, { type: 'DisableFailingWebhook', endpointId, detail, at: context.at }));
  }

  /** From the account's stream, not a read model: a worker must see a disable or delete at once. */
  private async endpoint(accountId: string, endpointId: string): Promise<WebhookEndpointState | undefined> {
    const account = await this.accountState(accountId);
    return account.status === 'open' ? account.webhooks.find((w) => w.endpointId === endpointId) : undefined;
  }

  /** The account folded from its stream (the write side): what workers and the admin API act on. */
  async accountState(accountId: string): Promise<AccountState> {
    const { state } = await aggregateStream(this.store, accountStream(accountId), streamModel(accountDecider));
    return state;
  }
}
