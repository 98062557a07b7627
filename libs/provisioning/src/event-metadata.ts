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
  const maxBytes = MAX_APPEND_BYTES - EVENT_OVERHEAD_BYTES;
  // Every usual resource is far below the limit: bounded without building its JSON text.
  if (jsonBytesAtMost(resource, maxBytes) <= maxBytes) return;
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  if (bytes > maxBytes) throw new AppendTooLargeError(streamId, bytes, maxBytes);
}

// JSON writes a UTF-16 code unit in at most 6 bytes (`\u001f`, a lone surrogate); a number in at most 25 characters (`-0.0000010000000000000002`).
const MAX_BYTES_PER_CODE_UNIT = 6;
const MAX_NUMBER_CHARS = 25;
const MAX_DEPTH = 64;

/**
 * At least the UTF-8 length of `JSON.stringify(value)`, or more than `budget` once it is passed.
 * Anything but plain objects, arrays and primitives (toJSON, BigInt, deep or cyclic values) is
 * Infinity, so that the caller serialises it exactly and JSON.stringify judges it.
 */
export function jsonBytesAtMost(value: unknown, budget: number, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return MAX_BYTES_PER_CODE_UNIT * value.length + 2;
    case 'number':
      return MAX_NUMBER_CHARS;
    case 'boolean':
    case 'undefined':
    case 'function':
    case 'symbol':
      // `false`; the others are left out of an object, or `null` in an array.
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return Infinity;
      let bytes = 2;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length && bytes <= budget; index++) bytes += 1 + jsonBytesAtMost(value[index], budget - bytes, depth + 1);
        return bytes;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return Infinity;
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        bytes += MAX_BYTES_PER_CODE_UNIT * key.length + 4 + jsonBytesAtMost((value as Record<string, unknown>)[key], budget - bytes, depth + 1);
        if (bytes > budget) return bytes;
      }
      return bytes;
    }
    default:
      return Infinity;
  }
}
