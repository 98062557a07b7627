/**
 * The write path (shared/STYLE.md "The write path"): read the stream, fold it with `evolve`,
 * decide, append with the revision that was read, and turn concurrency into domain errors. Every
 * writer goes through here, so there is one retry policy for the whole service.
 */
import {
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from './event-store.port';
import { NO_STREAM_REVISION } from './adapter-support';
import { newEventId } from './event-id';

type AnyEvent = { type: string; data: object };

/** A pure aggregate: no I/O, no framework, `evolve` never throws, `decide` throws domain errors. */
export interface Decider<Command, Event extends AnyEvent, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  /** Throws a domain error to reject the command; returns no events when there is nothing to do. */
  decide(command: Command, state: State): readonly Event[];
}

export type Upcaster<Event> = (recorded: RecordedEvent) => Event;

/** How one kind of stream folds into state; bound once per writer, with its upcaster for old shapes. */
export interface StreamModel<Event extends AnyEvent, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  /** Maps a recorded event (possibly an old shape) to the current domain event. */
  readonly upcast?: Upcaster<Event>;
  /**
   * The stream is a log whose decisions never depend on its events (a history of rejections, a
   * group's membership deltas): only its revision is read, never its events.
   */
  readonly revisionOnly?: boolean;
}

const APPEND_ONLY_LOG: StreamModel<AnyEvent, null> = { initialState: null, evolve: () => null, revisionOnly: true };

/** A log appended to without reading its events: its state is its revision alone. */
export function appendOnlyLog<Event extends AnyEvent>(): StreamModel<Event, null> {
  return APPEND_ONLY_LOG as StreamModel<Event, null>;
}

/**
 * What a command decides on the current state. May be async: a userName reservation looks at the
 * holder's own stream before deciding. `metadata` adds to the handler's own (the normalisation
 * notes of a change computed during the decision).
 */
export type Decision<Event> =
  | readonly Event[]
  | { readonly events: readonly Event[]; readonly metadata: EventMetadata }
  | Promise<readonly Event[] | { readonly events: readonly Event[]; readonly metadata: EventMetadata }>;

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

/** How many times a write decided on a state that another writer changed first is decided again. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

/** A conflict needs another writer in between: in-process writes take turns, so a few attempts suffice. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4 };

export interface HandleCommandOptions<Event, State = unknown> {
  /** Refuses a state the command cannot apply to before the precondition: a missing resource is 404, not 412. */
  readonly requireState?: (state: State) => void;
  /**
   * The client's If-Match revision (RFC 7644 §3.14): any mismatch, at the read or at the append,
   * is a `PreconditionFailedError` and is never retried.
   */
  readonly ifMatch?: number;
  /** Metadata of each new event (correlation and causation ids of the request). */
  readonly metadata: EventMetadata | ((event: Event) => EventMetadata);
  /** Default: time-ordered ids (newEventId). */
  readonly eventId?: () => string;
  readonly retry?: RetryPolicy;
  /**
   * The stream most likely does not exist yet (named by an id minted for this command, or by a
   * userName never reserved before): the first attempt decides on the initial state without
   * reading and appends with `no_stream`, which fails if it exists; the next attempt reads. That
   * first guess does not count against `retry`.
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

/** The default upcast: the recorded event as it was written (no old shapes to convert). */
export function toDomainEvent<Event extends AnyEvent>(recorded: RecordedEvent): Event {
  return { type: recorded.type, data: recorded.data } as unknown as Event;
}

/** Folds a stream into a state; `revision` is -1 when the stream does not exist. */
export async function aggregateStream<Event extends AnyEvent, State>(
  store: EventStore,
  streamId: string,
  model: StreamModel<Event, State>,
): Promise<{ state: State; revision: number }> {
  if (model.revisionOnly) return { state: model.initialState, revision: await store.streamRevision(streamId) };
  const upcast = model.upcast ?? toDomainEvent;
  const recorded = await store.readStream(streamId);
  let state = model.initialState;
  for (const event of recorded) state = model.evolve(state, upcast(event));
  const revision = recorded.length > 0 ? recorded[recorded.length - 1].revision : NO_STREAM_REVISION;
  return { state, revision };
}

/**
 * The one retry loop of the write path: runs `attempt` again while it fails because the stream it
 * decided on moved (another API instance, or a lifecycle append racing a membership one). With the
 * client's If-Match there is no second attempt: the conflict is the client's 412.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  options: { readonly ifMatch?: number; readonly retry?: RetryPolicy } = {},
): Promise<T> {
  const { maxAttempts } = options.retry ?? DEFAULT_RETRY_POLICY;
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (options.ifMatch !== undefined) throw new PreconditionFailedError(error.streamId, options.ifMatch, error.actual);
      if (attempts >= maxAttempts) throw new ConcurrencyError(error.streamId, attempts);
    }
  }
}

/**
 * Runs one command against one stream: read, decide (possibly async), append with the revision
 * read. A concurrent write makes it read and decide again (`retryOnConflict`); with `ifMatch`
 * the client must re-read instead (412).
 */
export function handleCommand<Event extends AnyEvent, State>(
  store: EventStore,
  streamId: string,
  model: StreamModel<Event, State>,
  decide: (state: State, revision: number) => Decision<Event>,
  options: HandleCommandOptions<Event, State>,
): Promise<CommandResult<State, Event>> {
  let attempt = 0;
  const notRead = { state: model.initialState, revision: NO_STREAM_REVISION };
  const retry = options.newStream ? { maxAttempts: (options.retry ?? DEFAULT_RETRY_POLICY).maxAttempts + 1 } : options.retry;
  return retryOnConflict(() => decideAndAppend(store, streamId, model, decide, options, attempt++ === 0 && options.newStream ? notRead : undefined), { ifMatch: options.ifMatch, retry });
}

/**
 * One attempt of `handleCommand`, for a write that spans several streams and retries as a whole
 * (with `retryOnConflict`): a stale decision surfaces as the store's `WrongExpectedRevisionError`.
 * `readAs` is the state and revision the caller already read for its plan: the stream is not
 * read again, and the append expects that revision.
 */
export async function decideAndAppend<Event extends AnyEvent, State>(
  store: EventStore,
  streamId: string,
  model: StreamModel<Event, State>,
  decide: (state: State, revision: number) => Decision<Event>,
  options: HandleCommandOptions<Event, State>,
  readAs?: { readonly state: State; readonly revision: number },
): Promise<CommandResult<State, Event>> {
  const { state, revision } = readAs ?? (await aggregateStream(store, streamId, model));
  options.requireState?.(state);
  if (options.ifMatch !== undefined && options.ifMatch !== revision) {
    throw new PreconditionFailedError(streamId, options.ifMatch, revision === NO_STREAM_REVISION ? 'no_stream' : revision);
  }
  const decided = decide(state, revision);
  // Most decisions are not async: they are taken as they are, not awaited (a promise and a turn each).
  const decision = decided instanceof Promise ? await decided : decided;
  const newEvents = 'events' in decision ? decision.events : decision;
  const extraMetadata = 'events' in decision ? decision.metadata : undefined;
  if (newEvents.length === 0) return { state, newEvents, revision, position: 0 };

  const appended = await store.append(
    streamId,
    newEvents.map((event) => toNewEvent(event, options, extraMetadata)),
    revision === NO_STREAM_REVISION ? 'no_stream' : revision,
  );
  return {
    state: newEvents.reduce(model.evolve, state),
    newEvents,
    revision: appended.nextExpectedRevision,
    position: appended.position,
  };
}

function toNewEvent<Event extends AnyEvent, State>(event: Event, options: HandleCommandOptions<Event, State>, extraMetadata: EventMetadata | undefined): NewEvent {
  const metadata = typeof options.metadata === 'function' ? options.metadata(event) : options.metadata;
  return {
    id: (options.eventId ?? newEventId)(),
    type: event.type,
    // Domain event payloads are readonly data interfaces, which TypeScript does not see as records.
    data: event.data as Readonly<Record<string, unknown>>,
    metadata: extraMetadata ? { ...metadata, ...extraMetadata } : metadata,
  };
}
