import { serialiseUser, type SerialisedResource } from '@scim/scim-protocol';
import type { UserSnapshot } from './user-presenter';

/**
 * The users read again soon after they were read or written (an IdP's GET before its PUT, a
 * support console, the first pages of a list): ~6 MB. Not a whole directory: with the read store
 * keeping documents on disk, a 100,000-user cache (~90 MB, and its garbage) cost ~260 MB of RSS
 * for ~10 % more paged reads (BENCHMARKS.md).
 */
export const USER_JSON_CACHE_ENTRIES = 10_000;

/**
 * A user's JSON around the base URL of `meta.location` (see `serialiseUser`): UTF-8 bytes when
 * cached, else the text, written straight into the response body. Two whole buffers: copying
 * part of one would allocate a view per copy, per resource, per request.
 */
export interface UserJson {
  readonly beforeBaseUrl: Buffer | string;
  readonly afterBaseUrl: Buffer | string;
}

// Flat, so that a hit reads one object: with a whole directory cached, lookups wait on memory.
interface Entry {
  readonly version: number;
  readonly beforeBaseUrl: Buffer;
  readonly afterBaseUrl: Buffer;
}

/**
 * The full JSON of a user, serialised and encoded once per revision. The stream revision changes
 * with every event of the user, and ids are never reused, so an entry for (id, version) never
 * goes stale; an entry for an older version is replaced the first time the newer one is read.
 */
export class UserJsonCache {
  private readonly entries = new Map<string, Entry>();
  /** Ids in the order they were stored, a ring: evicting is O(1) (a Map's first key is not, after many deletions). */
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(capacity: number = USER_JSON_CACHE_ENTRIES) {
    this.order = new Array<string | undefined>(capacity);
  }

  /**
   * `keep` false (the users of a list page): a cached entry is used, a missing one is not stored
   * but answered as text. A scan through a directory would otherwise push out the users read
   * again soon, and turn each entry it stored into old-generation garbage when it fell out.
   */
  jsonOf(snapshot: UserSnapshot, keep = true): UserJson {
    const cached = this.entries.get(snapshot.id);
    if (cached?.version === snapshot.version) return cached;
    const { id, profile, active, created, lastModified, version } = snapshot;
    const text = serialiseUser({ id, profile, active, meta: { created, lastModified, version } });
    if (!keep) return text;
    const entry: Entry = { version, ...ownBytes(text) };
    if (!cached) {
      const evicted = this.order[this.next];
      if (evicted !== undefined) this.entries.delete(evicted);
      this.order[this.next] = id;
      this.next = (this.next + 1) % this.order.length;
    }
    this.entries.set(id, entry);
    return entry;
  }
}

/**
 * Both parts in one buffer of their own, exactly sized. Cut from Buffer's shared 8 KB pool, as
 * `Buffer.from` does, 10,000 cached users held ~2,200 pool slabs (17 MB) for 6.5 MB of JSON: the
 * rest of each slab was other requests' garbage, kept alive by the entries cut beside it.
 */
function ownBytes({ beforeBaseUrl, afterBaseUrl }: SerialisedResource): Omit<Entry, 'version'> {
  const split = Buffer.byteLength(beforeBaseUrl, 'utf8');
  const bytes = Buffer.allocUnsafeSlow(split + Buffer.byteLength(afterBaseUrl, 'utf8'));
  bytes.write(beforeBaseUrl, 0, 'utf8');
  bytes.write(afterBaseUrl, split, 'utf8');
  return { beforeBaseUrl: bytes.subarray(0, split), afterBaseUrl: bytes.subarray(split) };
}
