import { upcastEvent, type DomainEvent } from '@scim/domain';
import type { RecordedEvent } from '@scim/event-store';

/** Projections read events in their newest shape, whatever version was recorded. */
export function domainEventOf<E extends DomainEvent>(recorded: RecordedEvent): E {
  const schemaVersion = recorded.metadata.schemaVersion;
  return upcastEvent({
    type: recorded.type,
    data: recorded.data,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : undefined,
  }) as unknown as E;
}
