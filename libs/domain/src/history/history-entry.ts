import type { DomainEvent } from '../decider';
import type { Actor } from '../metadata';

/**
 * One recorded event as history reads it: the (upcast) domain event plus the metadata that says
 * when it happened, who caused it and which request it belongs to.
 */
export interface HistoryEntry<E extends DomainEvent = DomainEvent> {
  readonly eventId: string;
  readonly streamId: string;
  /** Global commit position: orders entries of different streams. */
  readonly position: number;
  readonly event: E;
  /** When the fact happened (metadata.occurredAt); as-of queries compare against it. */
  readonly occurredAt: string;
  readonly actor: Actor;
  /** The HTTP request (X-Request-Id) the event belongs to. */
  readonly correlationId: string;
  /** The event or request that caused this one (for roles via groups: the group event's id). */
  readonly causationId: string;
}

/** A point in history that someone caused: the answer to "when, by whom, in which request". */
export interface Step {
  readonly eventId: string;
  readonly type: string;
  readonly at: string;
  readonly actor: Actor;
  readonly correlationId: string;
}

export function stepOf(entry: HistoryEntry): Step {
  return { eventId: entry.eventId, type: entry.event.type, at: entry.occurredAt, actor: entry.actor, correlationId: entry.correlationId };
}

/**
 * Milliseconds since the epoch of an ISO-8601 instant; NaN when it is not one. Instants are
 * compared as numbers because the same instant has many spellings (`Z`, `+00:00`, fractions).
 */
export function instantOf(iso: string): number {
  return Date.parse(iso);
}

/** Whether the entry had happened at `asOfMs` (inclusive: an event at exactly T is part of T). */
export function happenedBy(entry: Pick<HistoryEntry, 'occurredAt'>, asOfMs: number): boolean {
  return instantOf(entry.occurredAt) <= asOfMs;
}

/** The entries that had happened at `asOf`, in their recorded order. */
export function entriesAsOf<E extends DomainEvent>(history: readonly HistoryEntry<E>[], asOf: string): HistoryEntry<E>[] {
  const asOfMs = requireInstant(asOf);
  return history.filter((entry) => happenedBy(entry, asOfMs));
}

export function requireInstant(iso: string): number {
  const ms = instantOf(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not an ISO-8601 instant: ${iso}`);
  return ms;
}

/** How a support page names an actor. */
export function describeActor(actor: Actor): string {
  switch (actor.kind) {
    case 'scim-token':
      return `SCIM token ${actor.tokenId}`;
    case 'account-admin':
      return `account admin key ${actor.adminId}`;
    case 'operator':
      return 'platform operator';
    case 'system':
      return `system process ${actor.process}`;
    default: {
      const _exhaustive: never = actor;
      return 'unknown actor';
    }
  }
}
