import { serialiseUser } from '@scim/scim-protocol';
import type { UserSnapshot } from './user-presenter';

/**
 * Roughly a 100,000-user directory (~0.6 kB of JSON each, ~90 MB in all): an IdP paging through
 * every user of it, as imports do, finds each one already serialised.
 */
export const USER_JSON_CACHE_ENTRIES = 100_000;

/**
 * A user's JSON in UTF-8, around the base URL of `meta.location` (see `serialiseUser`). Two
 * whole buffers: copying part of one would allocate a view per copy, per resource, per request.
 */
export interface UserJsonBytes {
  readonly beforeBaseUrl: Buffer;
  readonly afterBaseUrl: Buffer;
}

// Flat, so that a hit reads one object: with a whole directory cached, lookups wait on memory.
interface Entry extends UserJsonBytes {
  readonly version: number;
}

/**
 * The full JSON of a user, serialised and encoded once per revision. The stream revision changes
 * with every event of the user, and ids are never reused, so an entry for (id, version) never
 * goes stale; an entry for an older version is replaced the first time the newer one is read.
 */
export class UserJsonCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number = USER_JSON_CACHE_ENTRIES) {}

  bytesOf(snapshot: UserSnapshot): UserJsonBytes {
    const cached = this.entries.get(snapshot.id);
    if (cached?.version === snapshot.version) return cached;
    const { id, profile, active, created, lastModified, version } = snapshot;
    const { beforeBaseUrl, afterBaseUrl } = serialiseUser({ id, profile, active, meta: { created, lastModified, version } });
    const entry: Entry = { version, beforeBaseUrl: Buffer.from(beforeBaseUrl, 'utf8'), afterBaseUrl: Buffer.from(afterBaseUrl, 'utf8') };
    // Map order is insertion order: the first key is the entry stored longest ago.
    this.entries.delete(id);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, entry);
    return entry;
  }
}
