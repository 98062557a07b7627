import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ReadStore, type Doc } from '@scim/read-models';
import type { AttemptOutcome } from './webhook-sender';

const COLLECTION = 'webhook_deliveries';
/** Attempts kept per endpoint; older ones are pruned as new ones are written. */
export const KEPT_ATTEMPTS = 1000;
const PRUNE_EVERY = 100;

export type DeliveryTrigger = 'automatic' | 'manual-redelivery' | 'test';

/**
 * One attempt to deliver one event: ids, outcome and timing only. No payload is kept (the event
 * can be rebuilt from the log by its cursor), so erasing a person from the log erases them here too.
 */
export interface DeliveryAttempt extends Doc {
  readonly endpointId: string;
  readonly accountId: string;
  readonly eventId: string;
  readonly eventType: string;
  /** The event's position in the account's log; null for a test event. */
  readonly cursor: string | null;
  readonly trigger: DeliveryTrigger;
  readonly attemptedAt: string;
  readonly ok: boolean;
  readonly status: number | null;
  readonly latencyMs: number;
  readonly error?: string;
  readonly responseBody?: string;
}

/** The checkpoint of an endpoint's delivery worker: the log position up to which every event was delivered. */
export const deliveryCheckpoint = (endpointId: string): string => `webhook:${endpointId}`;

/**
 * The per-endpoint delivery log, in the read store beside the checkpoints: an automatic attempt is
 * written in the same commit as the checkpoint it moves, so after a crash the log and the
 * position agree.
 */
@Injectable()
export class DeliveryLog implements OnModuleInit {
  private readonly written = new Map<string, number>();

  constructor(private readonly readStore: ReadStore) {}

  async onModuleInit(): Promise<void> {
    await this.readStore.ensureIndexes(COLLECTION, [
      { name: 'endpoint', fields: [['endpointId', 1]] },
      { name: 'endpoint_event', fields: [['endpointId', 1], ['eventId', 1]] },
    ]);
  }

  attempt(base: Pick<DeliveryAttempt, 'endpointId' | 'accountId' | 'eventId' | 'eventType' | 'cursor' | 'trigger'>, at: Date, outcome: AttemptOutcome): DeliveryAttempt {
    // Ids sort by time, so the newest attempts are a reverse range scan.
    const id = `${base.endpointId}:${String(at.getTime()).padStart(15, '0')}:${randomUUID().slice(0, 8)}`;
    const { ok, status, latencyMs, error, responseBody } = outcome;
    return {
      _id: id,
      ...base,
      attemptedAt: at.toISOString(),
      ok,
      status: status ?? null,
      latencyMs,
      ...(error ? { error } : {}),
      ...(responseBody ? { responseBody } : {}),
    };
  }

  checkpoint(endpointId: string): Promise<number> {
    return this.readStore.checkpoint(deliveryCheckpoint(endpointId));
  }

  /** Records attempts and moves the endpoint's checkpoint to `position` in one commit. */
  async commit(endpointId: string, attempts: readonly DeliveryAttempt[], position: number): Promise<void> {
    await this.readStore.commit(
      attempts.map((doc) => ({ collection: COLLECTION, id: doc._id, doc })),
      { projection: deliveryCheckpoint(endpointId), position },
    );
    await this.pruneNow(endpointId, attempts.length);
  }

  /** Records an attempt made outside the ordered delivery (a test event, a manual redelivery). */
  async record(attempt: DeliveryAttempt): Promise<void> {
    await this.commit(attempt.endpointId, [attempt], await this.checkpoint(attempt.endpointId));
  }

  /** The newest attempts first; `before` (an attempt id) pages further back. */
  list(endpointId: string, limit: number, before?: string): Promise<DeliveryAttempt[]> {
    const query = before ? { endpointId, _id: { $lt: before } } : { endpointId };
    return this.readStore.find<DeliveryAttempt>(COLLECTION, query, { sort: [['_id', -1]], limit });
  }

  /**
   * The automatic attempts that failed for an event since it was last delivered (and not before
   * `since`), and when the first of them was made: the retry window runs from there, across
   * restarts of the service.
   */
  async failuresOf(endpointId: string, eventId: string, since: string): Promise<{ failures: number; failingSince: number }> {
    const query = { endpointId, eventId, trigger: 'automatic', attemptedAt: { $gte: since } };
    const attempts = await this.readStore.find<DeliveryAttempt>(COLLECTION, query, { sort: [['_id', -1]], fields: ['attemptedAt', 'ok'] });
    const lastDelivered = attempts.findIndex((attempt) => attempt.ok);
    const failed = lastDelivered < 0 ? attempts : attempts.slice(0, lastDelivered);
    return { failures: failed.length, failingSince: failed.length > 0 ? Date.parse(failed[failed.length - 1].attemptedAt) : Date.now() };
  }

  async get(endpointId: string, attemptId: string): Promise<DeliveryAttempt | null> {
    const attempt = await this.readStore.get<DeliveryAttempt>(COLLECTION, attemptId);
    return attempt?.endpointId === endpointId ? attempt : null;
  }

  /** Deletes every attempt of a deleted endpoint. */
  async forget(endpointId: string): Promise<void> {
    const all = await this.readStore.find<DeliveryAttempt>(COLLECTION, { endpointId }, { fields: [] });
    if (all.length === 0) return;
    await this.readStore.commit(
      all.map((doc) => ({ collection: COLLECTION, id: doc._id, doc: null })),
      { projection: deliveryCheckpoint(endpointId), position: await this.checkpoint(endpointId) },
    );
  }

  private async pruneNow(endpointId: string, added: number): Promise<void> {
    const since = (this.written.get(endpointId) ?? 0) + added;
    this.written.set(endpointId, since % PRUNE_EVERY);
    if (since < PRUNE_EVERY) return;
    const old = await this.readStore.find<DeliveryAttempt>(COLLECTION, { endpointId }, { sort: [['_id', -1]], skip: KEPT_ATTEMPTS, fields: [] });
    if (old.length === 0) return;
    await this.readStore.commit(
      old.map((doc) => ({ collection: COLLECTION, id: doc._id, doc: null })),
      { projection: deliveryCheckpoint(endpointId), position: await this.checkpoint(endpointId) },
    );
  }
}
