import { currentSchemaVersion, type DomainEvent, type EventMetadata } from '@scim/domain';
import { AppendTooLargeError, type Decision, MAX_APPEND_BYTES } from '@scim/event-store';
import type { CommandContext } from './command-context';

// What an event adds to the data it carries (metadata, type, the decider's own fields), kept free
// when a resource is measured before its first append.
const EVENT_OVERHEAD_BYTES = 16_384;

/**
 * The metadata of every event a request causes (shared/DESIGN.md §3): its account, actor, time,
 * correlation and causation ids, the event's schema version, and the normalisation notes.
 */
export function metadataFor(context: CommandContext, normalizations: readonly string[] = []): (event: DomainEvent) => EventMetadata {
  return (event) => ({
    accountId: context.accountId,
    actor: context.actor,
    occurredAt: context.at,
    correlationId: context.requestId,
    causationId: context.causationId ?? context.requestId,
    schemaVersion: currentSchemaVersion(event.type),
    ...(normalizations.length > 0 ? { normalizations } : {}),
  });
}

/** A decision whose events carry the normalisation notes of the change (what was fixed in the IdP's input). */
export function withNotes<Event extends DomainEvent>(events: readonly Event[], notes: readonly string[]): Decision<Event> {
  return notes.length > 0 ? { events, metadata: { normalizations: notes } } : events;
}

/**
 * Refuses a resource too large for the one append that will carry it, before the request writes
 * anything (a userName reservation comes first): the store would refuse the append only after.
 */
export function assertFitsOneAppend(streamId: string, resource: unknown): void {
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  const maxBytes = MAX_APPEND_BYTES - EVENT_OVERHEAD_BYTES;
  if (bytes > maxBytes) throw new AppendTooLargeError(streamId, bytes, maxBytes);
}
