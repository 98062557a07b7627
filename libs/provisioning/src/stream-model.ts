import { upcastEvent, type DomainEvent } from '@scim/domain';
import type { RecordedEvent, StreamModel } from '@scim/event-store';

/** A recorded event as the current domain knows it: upcast from the schema version it was written with. */
export function upcastRecorded<Event extends DomainEvent>(recorded: RecordedEvent): Event {
  return upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as unknown as Event;
}

/**
 * How a decider's stream is read: folded with its `evolve`, each recorded event upcast from the
 * schema version it was written with (shared/STYLE.md habit 6). Bound once per writer.
 */
export function streamModel<Event extends DomainEvent, State>(decider: { readonly initialState: State; evolve(state: State, event: Event): State }): StreamModel<Event, State> {
  return {
    initialState: decider.initialState,
    evolve: decider.evolve,
    upcast: upcastRecorded<Event>,
  };
}
