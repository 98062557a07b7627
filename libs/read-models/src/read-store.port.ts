/**
 * The read-model port. Adapters: embedded (SQLite, queries compiled to SQL) and MongoDB.
 * Both pass the same contract suite (read-store.contract.ts).
 *
 * Queries are documents in a subset of the MongoDB query language, so one translation of a
 * SCIM filter drives both stores (shared/DESIGN.md §4):
 *   { field: value }                       equality; on arrays, matches if any element equals
 *   $eq $ne $gt $gte $lt $lte $in $nin     comparisons, only between values of one type (strings by code
 *                                          point, i.e. MongoDB's binary UTF-8 order; numbers numerically)
 *   $exists                                presence
 *   $regex (string) with $options 'i'?     JavaScript-compatible regular expression
 *   $elemMatch                             one array element satisfies the whole sub-query
 *   $and $or $nor                          logic; $not wraps an operator object
 * Dotted paths traverse objects and arrays like MongoDB ("emails.value").
 * Any other operator is rejected by both adapters, so a query that works in production works embedded.
 *
 * Documents are JSON values (ISO-8601 strings for instants, no Date objects).
 */

export type Doc = { readonly _id: string } & Readonly<Record<string, unknown>>;

export type Query = Readonly<Record<string, unknown>>;

export type SortSpec = ReadonlyArray<readonly [field: string, direction: 1 | -1]>;

export interface FindOptions {
  readonly sort?: SortSpec;
  readonly skip?: number;
  readonly limit?: number;
  /**
   * Top-level fields to return (MongoDB's inclusion projection): each document comes back with its
   * `_id` and those of these fields it has, nothing else. The query and the sort still see whole
   * documents. With a field the collection stores apart (`ensureStoredApart`), a page can be read
   * without materialising the rest of its documents.
   */
  readonly fields?: readonly string[];
}

export interface IndexSpec {
  readonly name: string;
  readonly fields: ReadonlyArray<readonly [field: string, direction: 1 | -1]>;
  readonly unique?: boolean;
}

/** Replace (or, with `doc: null`, delete) one document. */
export interface DocumentChange {
  readonly collection: string;
  readonly id: string;
  readonly doc: Doc | null;
}

export interface Checkpoint {
  readonly projection: string;
  readonly position: number;
  /**
   * The checkpoint this commit's documents were computed from. When given, the store refuses the
   * commit whole (`CheckpointMovedError`) if the stored checkpoint is already past it: another
   * runner of the projection committed since, and this commit could move its documents back.
   */
  readonly after?: number;
}

export abstract class ReadStore {
  abstract ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void>;

  /**
   * Top-level fields that reads ask for alone (`FindOptions.fields`), such as a resource's
   * serialised representation: an adapter may keep them apart from the rest of each document, so
   * that such a read parses nothing else. A storage hint, declared once per collection like an
   * index: documents, queries and results are the same with or without it.
   */
  abstract ensureStoredApart(collection: string, fields: readonly string[]): Promise<void>;

  get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    return this.findOne<T>(collection, { _id: id });
  }

  async findOne<T extends Doc>(collection: string, query: Query): Promise<T | null> {
    const [first] = await this.find<T>(collection, query, { limit: 1 });
    return first ?? null;
  }

  /**
   * Matching documents; without `sort`, in the order documents were created (stable across pages): a
   * replaced document keeps its place, a deleted and re-created one goes last. Embedded: SQLite's
   * rowid, which an UPSERT keeps. MongoDB: a creation instant kept by replacements, ties by `_id`.
   * With `sort`, ties come in that same order.
   */
  abstract find<T extends Doc>(collection: string, query: Query, options?: FindOptions): Promise<T[]>;

  abstract count(collection: string, query: Query): Promise<number>;

  /**
   * Applies the changes and moves the projection's checkpoint, atomically: after a crash either
   * both are stored or neither is. With `checkpoint.after`, only if the stored checkpoint has not
   * moved past it (two projectors of one projection: the lagging one's commit is refused).
   */
  abstract commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void>;

  /** Last committed position of a projection (0 when it never ran). */
  abstract checkpoint(projection: string): Promise<number>;

  /** Deletes every document and checkpoint (used by rebuilds into a fresh store). */
  abstract clear(): Promise<void>;

  abstract close(): Promise<void>;
}

/**
 * Another runner of the projection committed past the checkpoint this commit was computed from;
 * nothing was written. The runner restarts from the stored checkpoint.
 */
export class CheckpointMovedError extends Error {
  constructor(
    readonly projection: string,
    readonly after: number,
    readonly stored: number,
  ) {
    super(`Projection ${projection}: the checkpoint moved to ${stored} since this commit read it at ${after}; another runner is committing`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * A commit or an index build would give two documents the same key in a unique index. The commit is
 * rejected as a whole: no document and no checkpoint is written.
 */
export class UniqueIndexViolationError extends Error {
  constructor(
    readonly collection: string,
    readonly index: string,
    /** The document that could not take the key, when the store can tell. */
    readonly documentId?: string,
  ) {
    super(
      `Unique index ${index} on ${collection} violated` + (documentId === undefined ? '' : ` by document ${documentId}`),
    );
    this.name = 'UniqueIndexViolationError';
  }
}
