import { type ClientSession, type Collection, type Db, type Filter, MongoClient, MongoServerError } from 'mongodb';
import { compileFilter, compileSort, fieldsOf } from '../query/sql-query';
import {
  type Checkpoint,
  type Doc,
  type DocumentChange,
  type FindOptions,
  type IndexSpec,
  type Query,
  ReadStore,
} from '../read-store.port';
import { PROJECTION_VERSIONS } from '../projection-versions';
import type { ScratchSpace, ScratchSwap } from '../scratch-rebuild';
import {
  assertCheckpointNotMoved,
  assertTopLevelFields,
  assertValidCheckpoint,
  assertValidCollectionName,
  assertValidFindOptions,
  normalizeIndexSpec,
  planWrites,
} from '../store-rules';
import { assertCommitWithinLimits } from '../store-limits';
import {
  assignCreationOrder,
  CHECKPOINT_READ_OPTIONS,
  CHECKPOINTS_COLLECTION,
  type CheckpointDocument,
  type CollectionNames,
  isScratchName,
  LIVE_NAMES,
  scratchNames,
  checkpointUpdate,
  CREATED_FIELD,
  CreationClock,
  inListChunks,
  replaceableIds,
  type StoredDocument,
  toBulkOperations,
  toIndexDescriptions,
  toMongoSort,
  translateMongoError,
  toInclusionProjection,
  WITHOUT_STORE_FIELDS,
} from './mongo-mapping';
import { mongoDatabaseOf } from './mongo-url';

/** MongoDB's error for a query whose collection was dropped (or renamed over) while it ran. */
const QUERY_PLAN_KILLED = 175;

/**
 * The production read store: one MongoDB collection per read-model collection, queries passed to
 * MongoDB as they are (the port's query language is MongoDB's), commits in a multi-document
 * transaction with the projection's checkpoint. Transactions need a replica set (a single-node one
 * will do).
 *
 * Queries are first compiled to the embedded store's SQL only to reject operators outside the
 * port's subset: a query that works here then also works on the embedded store.
 */
export class MongoReadStore extends ReadStore implements ScratchSpace {
  private readonly clock = new CreationClock();

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    /** Where this store's collections live: the read models themselves, or a rebuild's scratch copies. */
    private readonly names: CollectionNames = LIVE_NAMES,
  ) {
    super();
  }

  /** Connects to `url`; the database is `dbName`, else the one named in the URL, else "scim". */
  static async connect(url: string, dbName: string = mongoDatabaseOf(url)): Promise<MongoReadStore> {
    const client = new MongoClient(url);
    await client.connect();
    return MongoReadStore.over(client, dbName);
  }

  /** A store on a client the caller made (it connects on first use); closing the store closes it. */
  static over(client: MongoClient, dbName: string): MongoReadStore {
    return new MongoReadStore(client, client.db(dbName));
  }

  /**
   * A store over scratch copies of every collection (`<collection>__rebuild_<tag>`, checkpoints and
   * projection versions included), on this store's connection: a rebuild fills it while readers
   * keep reading this one, then {@link swapIn} moves its collections here.
   */
  scratch(tag: string): MongoReadStore {
    return new MongoReadStore(this.client, this.db, scratchNames(tag));
  }

  /** Drops the scratch collections of `tag`'s rebuild, else of every rebuild (cut short by a crash or a lost lease). */
  async dropRebuildLeftovers(tag?: string): Promise<readonly string[]> {
    const leftovers = (await this.databaseCollections()).filter(tag === undefined ? isScratchName : scratchNames(tag).owns);
    for (const name of leftovers) await this.db.dropCollection(name);
    return leftovers;
  }

  /**
   * Makes a filled scratch store's collections of `swap.collections` the live ones, and the live
   * checkpoints and versions of `swap.projections` the rebuilt ones; then drops what is left of the
   * scratch store. MongoDB renames one collection at a time (each atomically, indexes included):
   * between two renames a reader may see one collection rebuilt and another not yet.
   */
  async swapIn(scratch: ReadStore, swap: ScratchSwap): Promise<void> {
    if (!(scratch instanceof MongoReadStore) || scratch.db !== this.db || scratch.names === this.names) {
      throw new TypeError('Only a scratch store of this store can be swapped in');
    }
    const checkpoints = this.db.collection<CheckpointDocument>(this.names.of(CHECKPOINTS_COLLECTION));
    const rebuilt = await Promise.all(swap.projections.map(async ({ name, version }) => ({ name, version, position: await scratch.checkpoint(name) })));
    // Lowered first, so that no checkpoint claims more than the documents beside it hold: not the old
    // documents (a rebuild stops where it read the head) and not the rebuilt ones (old ones ran ahead).
    for (const { name, position } of rebuilt) {
      await checkpoints.updateOne({ _id: name }, { $min: { position }, $inc: { commits: 1 } }, { upsert: true });
    }
    const existing = new Set(await this.databaseCollections());
    for (const collection of swap.collections) {
      const source = scratch.names.of(collection);
      const target = this.names.of(collection);
      // Nothing written and no index: the rebuilt collection is empty, so the live one goes.
      if (existing.has(source)) await this.db.renameCollection(source, target, { dropTarget: true });
      else if (existing.has(target)) await this.db.dropCollection(target);
    }
    for (const { name, version, position } of rebuilt) {
      await this.commit([{ collection: PROJECTION_VERSIONS, id: name, doc: { _id: name, version } }], { projection: name, position });
    }
    for (const name of await scratch.collectionNames()) await this.db.dropCollection(name);
  }

  override async ensureIndexes(collection: string, indexes: readonly IndexSpec[]): Promise<void> {
    assertValidCollectionName(collection);
    try {
      await this.documents(collection).createIndexes(toIndexDescriptions(indexes.map(normalizeIndexSpec)));
    } catch (error) {
      throw translateMongoError(error, collection);
    }
  }

  /** MongoDB reads only the fields a projection names from each document: nothing to arrange. */
  override async ensureStoredApart(collection: string, fields: readonly string[]): Promise<void> {
    assertValidCollectionName(collection);
    assertTopLevelFields(fields);
    if (fields.includes('_id')) throw new TypeError('_id cannot be stored apart');
  }

  override async get<T extends Doc>(collection: string, id: string): Promise<T | null> {
    const found = await againIfSwapped(() => this.documents(collection).findOne({ _id: id }, { projection: WITHOUT_STORE_FIELDS }));
    return found as T | null;
  }

  override async find<T extends Doc>(collection: string, query: Query, options: FindOptions = {}): Promise<T[]> {
    compileFilter(query, fieldsOf('doc'));
    assertValidFindOptions(options);
    if (options.sort) compileSort(options.sort, fieldsOf('doc'));
    if (options.limit === 0) return [];
    const documents = await againIfSwapped(() =>
      this.documents(collection)
        .find(query as Filter<StoredDocument>, {
          projection: options.fields ? toInclusionProjection(options.fields) : WITHOUT_STORE_FIELDS,
          sort: toMongoSort(options.sort),
          ...(options.skip ? { skip: options.skip } : {}),
          ...(options.limit !== undefined ? { limit: options.limit } : {}),
        })
        .toArray(),
    );
    return documents as unknown as T[];
  }

  override async count(collection: string, query: Query): Promise<number> {
    compileFilter(query, fieldsOf('doc'));
    return againIfSwapped(() => this.documents(collection).countDocuments(query as Filter<StoredDocument>));
  }

  override async commit(changes: readonly DocumentChange[], checkpoint: Checkpoint): Promise<void> {
    assertValidCheckpoint(checkpoint);
    const writesByCollection = planWrites(changes);
    // The driver would refuse these too, but only after part of the transaction ran.
    assertCommitWithinLimits(changes);
    const session = this.client.startSession();
    try {
      // The callback may run again on a transient error; it derives everything inside the transaction.
      await session.withTransaction(async () => {
        // Read in the transaction: a concurrent commit of the same projection writes this document
        // too, so one of the two transactions conflicts, is retried, and then sees the other's checkpoint.
        const stored = await this.db.collection<CheckpointDocument>(this.names.of(CHECKPOINTS_COLLECTION)).findOne({ _id: checkpoint.projection }, { session });
        assertCheckpointNotMoved(checkpoint, stored?.position ?? 0);
        for (const [collection, writes] of writesByCollection) {
          const created = assignCreationOrder(writes, await this.creationInstants(collection, replaceableIds(writes), session), this.clock);
          const operations = toBulkOperations(writes, created);
          if (operations.length === 0) continue;
          try {
            await this.documents(collection).bulkWrite(operations, { session, ordered: true });
          } catch (error) {
            throw translateMongoError(error, collection);
          }
        }

        const { filter, update } = checkpointUpdate(checkpoint);
        await this.db
          .collection<CheckpointDocument>(this.names.of(CHECKPOINTS_COLLECTION))
          .updateOne(filter, update, { upsert: true, session });
      });
    } finally {
      await session.endSession();
    }
  }

  override async checkpoint(projection: string): Promise<number> {
    const stored = await this.db.collection<CheckpointDocument>(this.names.of(CHECKPOINTS_COLLECTION), CHECKPOINT_READ_OPTIONS).findOne({ _id: projection });
    return stored?.position ?? 0;
  }

  /** Empties every collection of this store (a scratch store: only its own); collections and their indexes stay. */
  override async clear(): Promise<void> {
    for (const name of await this.collectionNames()) await this.db.collection(name).deleteMany({});
  }

  /** Closes the connection; a scratch store shares its live store's, which stays open. */
  override async close(): Promise<void> {
    if (this.names === LIVE_NAMES) await this.client.close();
  }

  /** The MongoDB collections of this store: the live store's are every collection of the database but scratch ones. */
  private async collectionNames(): Promise<string[]> {
    return (await this.databaseCollections()).filter(this.names.owns);
  }

  private async databaseCollections(): Promise<string[]> {
    const collections = await this.db.listCollections({ type: 'collection' }, { nameOnly: true }).toArray();
    return collections.map(({ name }) => name).filter((name) => !name.startsWith('system.'));
  }

  private documents(collection: string): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(this.names.of(collection));
  }

  private async creationInstants(collection: string, ids: readonly string[], session: ClientSession): Promise<Map<string, number>> {
    const created = new Map<string, number>();
    for (const chunk of inListChunks(ids)) {
      const found = await this.documents(collection)
        .find({ _id: { $in: chunk } }, { projection: { [CREATED_FIELD]: 1 }, session })
        .toArray();
      for (const doc of found) if (typeof doc[CREATED_FIELD] === 'number') created.set(String(doc._id), doc[CREATED_FIELD]);
    }
    return created;
  }
}

/**
 * Runs a read again, once, when MongoDB killed it because its collection was dropped under it
 * (QueryPlanKilled): a rebuild's swap renamed the rebuilt collection over it, and the read is
 * answered from that one instead of failing.
 */
async function againIfSwapped<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === QUERY_PLAN_KILLED)) throw error;
    return read();
  }
}
