/**
 * The write path (shared/STYLE.md "The write path"): read the stream, fold it with `evolve`,
 * `decide`, append with the revision that was read, and turn concurrency into domain errors.
 */
import {
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from './event-store.port';
import { NO_STREAM_REVISION } from './adapter-support';

/** A pure aggregate: no I/O, no framework, `evolve` never throws, `decide` throws domain errors. */
export interface Decider<Command, Event extends { type: string; data: object }, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  /** Throws a domain error to reject the command; returns no events when there is nothing to do. */
  decide(command: Command, state: State): readonly Event[];
}

/** The stream kept changing under the command, even after a few fresh attempts. */
export class ConcurrencyError extends Error {
  readonly code = 'concurrency_conflict';

  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`Stream ${streamId} was modified concurrently; gave up after ${attempts} attempts`);
    this.name = 'ConcurrencyError';
  }
}

/** The client's precondition (If-Match, RFC 7644 §3.14) names a revision the stream is not at. */
export class PreconditionFailedError extends Error {
  readonly code = 'precondition_failed';

  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected revision ${expected}, actual ${String(actual)}`);
    this.name = 'PreconditionFailedError';
  }
}

export type Upcaster<Event> = (recorded: RecordedEvent) => Event;

export interface HandleCommandOptions<Event> {
  /** The client's If-Match revision; any mismatch is a `PreconditionFailedError`, never retried. */
  readonly expectedRevision?: number;
  /** Metadata of each new event (correlation and causation ids of the request). */
  readonly metadata: EventMetadata | ((event: Event) => EventMetadata);
  readonly eventId: () => string;
  /** Fresh attempts after a concurrent write, when the client gave no expected revision. Default 3. */
  readonly maxRetries?: number;
  /** Maps a recorded event (possibly an old shape) to the current domain event. */
  readonly upcast?: Upcaster<Event>;
  /**
   * The stream is named by an id minted for this command: the first attempt decides on the
   * initial state without reading and appends with `no_stream` (which still fails if it exists).
   */
  readonly newStream?: boolean;
}

export interface CommandResult<State, Event> {
  /** State after the new events. */
  readonly state: State;
  readonly newEvents: readonly Event[];
  /** Current stream revision (the ETag), -1 when the stream does not exist. */
  readonly revision: number;
  /** Global position of the last appended event; 0 when nothing was appended. */
  readonly position: number;
}

export const DEFAULT_MAX_RETRIES = 3;

/** The default upcast: the recorded event as it was written (no old shapes to convert). */
export function toDomainEvent<Event extends { type: string; data: object }>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as unknown as Event;
}

/** Folds a stream into a state; `revision` is -1 when the stream does not exist. */
export async function aggregateStream<Event extends { type: string; data: object }, State>(
  store: EventStore,
  streamId: string,
  evolve: (state: State, event: Event) => State,
  initialState: State,
  upcast: Upcaster<Event> = toDomainEvent,
): Promise<{ state: State; revision: number }> {
  const recorded = await store.readStream(streamId);
  let state = initialState;
  for (const event of recorded) state = evolve(state, upcast(event));
  const revision = recorded.length > 0 ? recorded[recorded.length - 1].revision : NO_STREAM_REVISION;
  return { state, revision };
}

/**
 * Runs one command against one stream. Without `expectedRevision`, a concurrent write makes it
 * re-read and decide again (up to `maxRetries` times); with it, the client must re-read (412).
 */
export async function handleCommand<Command, Event extends { type: string; data: object }, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: HandleCommandOptions<Event>,
): Promise<CommandResult<State, Event>> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const clientRevision = options.expectedRevision;

  for (let attempt = 1; ; attempt++) {
    const { state, revision } =
      attempt === 1 && options.newStream
        ? { state: decider.initialState, revision: NO_STREAM_REVISION }
        : await aggregateStream(store, streamId, decider.evolve, decider.initialState, options.upcast);
    if (clientRevision !== undefined && clientRevision !== revision) {
      throw new PreconditionFailedError(streamId, clientRevision, revision === NO_STREAM_REVISION ? 'no_stream' : revision);
    }

    const newEvents = decider.decide(command, state);
    if (newEvents.length === 0) {
      return { state, newEvents, revision, position: 0 };
    }

    const expected: ExpectedRevision = revision === NO_STREAM_REVISION ? 'no_stream' : revision;
    try {
      const appended = await store.append(streamId, newEvents.map((event) => toNewEvent(event, options)), expected);
      return {
        state: newEvents.reduce(decider.evolve, state),
        newEvents,
        revision: appended.nextExpectedRevision,
        position: appended.position,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (clientRevision !== undefined) {
        throw new PreconditionFailedError(streamId, clientRevision, error.actual);
      }
      if (attempt > maxRetries) throw new ConcurrencyError(streamId, attempt);
    }
  }
}

function toNewEvent<Event extends { type: string; data: object }>(
  event: Event,
  options: HandleCommandOptions<Event>,
): NewEvent {
  return {
    id: options.eventId(),
    type: event.type,
    // Domain event payloads are readonly data interfaces, which TypeScript does not see as records.
    data: event.data as Readonly<Record<string, unknown>>,
    metadata: typeof options.metadata === 'function' ? options.metadata(event) : options.metadata,
  };
}
