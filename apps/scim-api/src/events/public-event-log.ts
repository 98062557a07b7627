import { Inject, Injectable } from '@nestjs/common';
import {
  evolveGroup,
  evolveUser,
  groupStream,
  initialGroupState,
  initialUserState,
  upcastEvent,
  userStream,
  type GroupState,
  type UserState,
} from '@scim/domain';
import { EventStore, type RecordedEvent } from '@scim/event-store';
import { publicEventOf, publicTypeOf, resourceNeeded, type PublicEvent, type PublicEventType, type ResourceAtEvent, type SourceEvent } from '@scim/public-events';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

const READ_BATCH_SIZE = 500;

export interface PublicEventsRead {
  readonly events: readonly PublicEvent[];
  /** Position to continue after: the last event returned, or the last one looked at. */
  readonly nextCursor: number;
  /** False when the account's log held nothing more after `nextCursor` when it was read. */
  readonly hasMore: boolean;
}

export interface ReadOptions {
  /** Public events wanted at most. */
  readonly limit: number;
  /** Recorded events looked at at most, so a rare type over a long history answers quickly (with a cursor). */
  readonly scanLimit: number;
  readonly types?: ReadonlySet<PublicEventType>;
}

/**
 * An account's history in the public vocabulary, read from the event log (the whole history, in
 * commit order). Each user or group event is described with its aggregate as it was right after
 * it: the aggregate's stream, read once per batch and folded up to the event's position.
 */
@Injectable()
export class PublicEventLog {
  constructor(
    private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Where `meta.location` and `$ref`s point: PUBLIC_URL, else this process's own port. */
  baseUrl(accountId: string): string {
    return `${this.config.publicUrl ?? `http://localhost:${this.config.port}`}/scim/v2/${encodeURIComponent(accountId)}`;
  }

  async read(accountId: string, after: number, options: ReadOptions): Promise<PublicEventsRead> {
    const events: PublicEvent[] = [];
    let scanned = 0;
    let cursor = after;
    // Batches no larger than the page: each batch is mapped whole (its aggregates read and folded).
    const batchSize = Math.min(READ_BATCH_SIZE, options.limit);
    for await (const batch of this.store.readAllMatching({ metadata: { accountId }, fromPosition: after, batchSize })) {
      // Only what the page keeps is mapped (reading aggregates is the cost of mapping).
      const wanted = (recorded: RecordedEvent) => {
        const type = publicTypeOf(recorded.type);
        return type !== undefined && (!options.types || options.types.has(type));
      };
      const sources = batch.filter(wanted).map((recorded) => sourceOf(recorded, accountId));
      const resources = await this.resourcesAt(sources);
      const mappedById = new Map(sources.map((source) => [source.id, publicEventOf(source, resources.get(source.id) ?? {}, this.baseUrl(accountId))]));
      for (const recorded of batch) {
        scanned += 1;
        cursor = recorded.position;
        const mapped = mappedById.get(recorded.id);
        if (mapped) events.push(mapped);
        if (events.length >= options.limit || scanned >= options.scanLimit) return { events, nextCursor: cursor, hasMore: true };
      }
    }
    return { events, nextCursor: cursor, hasMore: false };
  }

  /** One recorded event of the account by position (a manual redelivery), or undefined. */
  async at(accountId: string, position: number): Promise<PublicEvent | undefined> {
    for await (const batch of this.store.readAllMatching({ metadata: { accountId }, fromPosition: position - 1, batchSize: 1 })) {
      const recorded = batch[0];
      if (!recorded || recorded.position !== position) return undefined;
      const source = sourceOf(recorded, accountId);
      const resources = await this.resourcesAt([source]);
      return publicEventOf(source, resources.get(source.id) ?? {}, this.baseUrl(accountId));
    }
    return undefined;
  }

  /** The aggregate right after each event: each stream read once, folded once. */
  /** By source event id, the aggregate right after the event: each stream read once, folded once. */
  private async resourcesAt(sources: readonly SourceEvent[]): Promise<Map<string, ResourceAtEvent>> {
    const users = new Map<string, Promise<Timeline<UserState>>>();
    const groups = new Map<string, Promise<Timeline<GroupState>>>();
    const result = new Map<string, ResourceAtEvent>();
    for (const source of sources) {
      const needed = resourceNeeded(source);
      if (!needed) {
        result.set(source.id, {});
      } else if (needed.kind === 'user') {
        if (!users.has(needed.userId)) users.set(needed.userId, this.timeline(userStream(needed.userId), evolveUser as Evolve<UserState>, initialUserState));
        result.set(source.id, { user: (await users.get(needed.userId)!).at(source.position) });
      } else {
        if (!groups.has(needed.groupId)) groups.set(needed.groupId, this.timeline(groupStream(needed.groupId), evolveGroup as Evolve<GroupState>, initialGroupState));
        result.set(source.id, { group: (await groups.get(needed.groupId)!).at(source.position) });
      }
    }
    return result;
  }

  private async timeline<State>(streamId: string, evolve: Evolve<State>, initial: State): Promise<Timeline<State>> {
    const states: { position: number; state: State }[] = [];
    let state = initial;
    for (const recorded of await this.store.readStream(streamId)) {
      state = evolve(state, upcast(recorded));
      states.push({ position: recorded.position, state });
    }
    return {
      // The state after the last event at or before `position` (a membership delta reads its group's lifecycle this way).
      at: (position) => {
        let found = initial;
        for (const entry of states) {
          if (entry.position > position) break;
          found = entry.state;
        }
        return found;
      },
    };
  }
}

type Evolve<State> = (state: State, event: { readonly type: string; readonly data: Readonly<Record<string, unknown>> }) => State;

interface Timeline<State> {
  at(position: number): State;
}

/** The event in its newest data shape. */
const upcast = (recorded: RecordedEvent) => upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined });

function sourceOf(recorded: RecordedEvent, accountId: string): SourceEvent {
  const { data } = upcast(recorded);
  return {
    id: recorded.id,
    type: recorded.type,
    data,
    accountId,
    occurredAt: String(recorded.metadata.occurredAt ?? recorded.recordedAt),
    ...(typeof recorded.metadata.correlationId === 'string' ? { correlationId: recorded.metadata.correlationId } : {}),
    position: recorded.position,
    revision: recorded.revision,
  };
}
