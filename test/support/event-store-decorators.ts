import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  appendSizeInBytes,
  DelegatingEventStore,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '@scim/event-store';

/**
 * Reads answer on a later turn of the event loop, as a store across a network does: the embedded
 * store answers within the same turn, which hides races between a request's read and its append.
 */
export class NetworkLikeReads extends DelegatingEventStore {
  override async readStream(streamId: string, options?: { readonly fromRevision?: number }): Promise<RecordedEvent[]> {
    await nextTurn();
    return this.inner.readStream(streamId, options);
  }

  override async streamRevision(streamId: string): Promise<number> {
    await nextTurn();
    return this.inner.streamRevision(streamId);
  }
}

/** Records the size of every append that reaches the store (event data + metadata, as stored). */
export class AppendSizes extends DelegatingEventStore {
  readonly sizes: { readonly streamId: string; readonly events: number; readonly bytes: number }[] = [];

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const result = await this.inner.append(streamId, events, expected);
    this.sizes.push({ streamId, events: events.length, bytes: appendSizeInBytes(events) });
    return result;
  }
}

/** Fails every append `shouldFail` picks, as a store that goes away between two appends. */
export class FailingAppends extends DelegatingEventStore {
  shouldFail: (streamId: string, events: readonly NewEvent[]) => boolean = () => false;

  override append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.shouldFail(streamId, events)) return Promise.reject(new Error(`Injected failure appending to ${streamId}`));
    return this.inner.append(streamId, events, expected);
  }
}

/**
 * Another writer gets in first: before each append `foreignBefore` answers for, its events are
 * appended to the same stream through `top` (the store the service appends through, so the hash
 * chain stays whole), as another API instance would. Its own appends pass through untouched.
 */
export class InterleavedWriter extends DelegatingEventStore {
  top?: EventStore;
  foreignBefore: (streamId: string, events: readonly NewEvent[]) => NewEvent[] | undefined = () => undefined;
  private readonly foreignIds = new Set<string>();

  override async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const top = this.top;
    const foreign = top && !events.some((e) => this.foreignIds.has(e.id)) ? this.foreignBefore(streamId, events) : undefined;
    if (top && foreign) {
      for (const event of foreign) this.foreignIds.add(event.id);
      const revision = await top.streamRevision(streamId);
      await top.append(streamId, foreign, revision < 0 ? 'no_stream' : revision);
    }
    return this.inner.append(streamId, events, expected);
  }
}
