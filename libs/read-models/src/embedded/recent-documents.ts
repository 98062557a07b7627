import type { Doc } from '../read-store.port';

/**
 * The parsed, deep-frozen documents read last, by rank, at most `capacity` of them: hot documents
 * (accounts on every request, a group being patched) are parsed once, and the store's memory
 * does not grow with the collections.
 */
export class RecentDocuments {
  // A Map iterates in insertion order: re-inserting on each hit keeps the least recent first.
  private readonly byOrd = new Map<number, Doc>();

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError('The document cache capacity must be a non-negative integer');
  }

  get(ord: number): Doc | undefined {
    const doc = this.byOrd.get(ord);
    if (doc !== undefined) {
      this.byOrd.delete(ord);
      this.byOrd.set(ord, doc);
    }
    return doc;
  }

  /** Without refreshing it: a scan over a whole collection must not push the hot documents out. */
  peek(ord: number): Doc | undefined {
    return this.byOrd.get(ord);
  }

  set(ord: number, doc: Doc): void {
    if (this.capacity === 0) return;
    this.byOrd.delete(ord);
    this.byOrd.set(ord, doc);
    if (this.byOrd.size > this.capacity) this.byOrd.delete(this.byOrd.keys().next().value as number);
  }

  delete(ord: number): void {
    this.byOrd.delete(ord);
  }

  clear(): void {
    this.byOrd.clear();
  }
}
