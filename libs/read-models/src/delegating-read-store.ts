import { type Checkpoint, type Doc, type DocumentChange, type FindOptions, type IndexSpec, type Query, ReadStore } from './read-store.port';

/**
 * A decorator's starting point, as DelegatingEventStore is for event stores: forwards every
 * operation to `inner` (`get` and `findOne` too, to reach an adapter's own), so a decorator
 * overrides only what it changes.
 */
export abstract class DelegatingReadStore extends ReadStore {
  constructor(protected readonly inner: ReadStore) {
    super();
  }

  override ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    return this.inner.ensureIndexes(collection, indexes);
  }

  override ensureStoredApart(collection: string, fields: readonly string[]): Promise<void> {
    return this.inner.ensureStoredApart(collection, fields);
  }

  override get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    return this.inner.get<T>(collection, id);
  }

  override findOne<T extends Doc>(collection: string, query: Query): Promise<T | null> {
    return this.inner.findOne<T>(collection, query);
  }

  override find<T extends Doc>(collection: string, query: Query, options?: FindOptions): Promise<T[]> {
    return this.inner.find<T>(collection, query, options);
  }

  override count(collection: string, query: Query): Promise<number> {
    return this.inner.count(collection, query);
  }

  override commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    return this.inner.commit(changes, checkpoint);
  }

  override checkpoint(projection: string): Promise<number> {
    return this.inner.checkpoint(projection);
  }

  override clear(): Promise<void> {
    return this.inner.clear();
  }

  override close(): Promise<void> {
    return this.inner.close();
  }
}
