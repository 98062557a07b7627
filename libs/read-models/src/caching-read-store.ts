import { DelegatingReadStore } from './delegating-read-store';
import type { Checkpoint, Doc, DocumentChange, ReadStore } from './read-store.port';

/** More accounts than any deployment has: past it the cache starts again rather than grow. */
const MAX_CACHED_DOCUMENTS = 10_000;

/**
 * A read store that keeps the documents `get` returns from the named collections in memory until a
 * commit through it changes them. Only for a store that no other process commits to (embedded
 * mode: the projections run in this process): every SCIM request reads its account (the token, the
 * custom attributes) two or three times, and it changes only when an administrator changes it.
 *
 * Cached documents are frozen: they are shared by every request that reads them.
 */
export class CachingReadStore extends DelegatingReadStore {
  private readonly cached = new Map<string, Map<string, Doc>>();
  /** Bumped around every commit: a read that started before one never fills the cache. */
  private generation = 0;

  constructor(store: ReadStore, collections: readonly string[]) {
    super(store);
    for (const collection of collections) this.cached.set(collection, new Map());
  }

  override async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    const documents = this.cached.get(collection);
    if (!documents) return this.inner.get<T>(collection, id);
    const hit = documents.get(id);
    if (hit) return hit as T;
    const generation = this.generation;
    const doc = await this.inner.get<T>(collection, id);
    // Absent ids are not kept: a URL can name any number of them.
    if (doc && generation === this.generation) {
      if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear();
      documents.set(id, deepFreeze(doc));
    }
    return doc;
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    this.forget(changes);
    try {
      await this.inner.commit(changes, checkpoint);
    } finally {
      // Again once committed: a read that slipped in while the commit was in flight got the old one.
      this.forget(changes);
    }
  }

  override async clear(): Promise<void> {
    this.generation++;
    for (const documents of this.cached.values()) documents.clear();
    await this.inner.clear();
    this.generation++;
  }

  private forget(changes: readonly DocumentChange[]): void {
    this.generation++;
    for (const { collection, id } of changes) this.cached.get(collection)?.delete(id);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
