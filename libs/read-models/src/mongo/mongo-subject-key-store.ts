import { randomUUID } from 'node:crypto';
import { Binary, type Collection, type Db, MongoClient, MongoServerError } from 'mongodb';
import {
  accountKeyBinding,
  type DataKey,
  dataKeyBinding,
  type DataSubject,
  KeyCache,
  KeyHandout,
  KeyPool,
  type KeyPoolOptions,
  newDataKey,
  pooledKeyBinding,
  SubjectErasedError,
  SubjectKeyStore,
  unwrapKey,
  wrapKey,
} from '@scim/event-store/personal-data';
import { mongoDatabaseOf } from './mongo-url';

interface AccountKeyDocument {
  readonly _id: string;
  readonly wrapped: Binary;
  readonly createdAt: Date;
}

/** One key per subject, made on demand (before key pools); still read, and those without a key mark the subjects erased. */
interface SubjectKeyDocument {
  readonly _id: string;
  readonly keyId: string;
  readonly accountId: string;
  readonly wrapped: Binary | null;
  readonly createdAt: Date;
  readonly destroyedAt?: Date;
}

/** A key made ahead in a pool; `subjectId` is set once it is handed out, without waiting for a journal. */
interface DataKeyDocument {
  readonly _id: string;
  readonly accountId: string;
  readonly subjectId: string | null;
  readonly wrapped: Binary | null;
  readonly createdAt: Date;
  readonly destroyedAt?: Date;
}

export interface MongoSubjectKeyStoreOptions {
  /** Unwrapped keys kept in memory (default 10,000). */
  readonly cacheSize?: number;
  readonly pool?: KeyPoolOptions;
}

const DUPLICATE_KEY = 11000;
// Acknowledged by a majority and journaled: a key must outlive any failover before an event uses it.
const DURABLE = { writeConcern: { w: 'majority' as const, j: true } };
const DEFAULT_CACHE_SIZE = 10_000;

/**
 * Subject keys in MongoDB (distributed mode), in collections of their own beside the read models,
 * wrapped as the SQLite adapter wraps them (same bindings, same root key from ROOT_KEY). Keys are
 * made ahead per account, a batch per durable `insertMany` (`KeyPool`); each replica hands out only
 * the keys it made. Handing one out records its subject without waiting for a majority: the sealed
 * events naming the key are the durable record (the port's doc).
 *
 * MongoDB does not zero what it frees: a destroyed key's wrapped bytes may linger in WiredTiger
 * pages, the oplog and backups until they are compacted or age out (docs/PRIVACY.md). They open only
 * with the account key, itself wrapped by the root key, which is never stored here.
 */
export class MongoSubjectKeyStore extends SubjectKeyStore {
  private readonly accountKeys = new Map<string, Buffer>();
  private readonly liveKeys: KeyCache<DataKey>;
  private readonly keysById: KeyCache<Buffer>;
  private readonly pool: KeyPool;
  private readonly handout = new KeyHandout();
  private pendingBindings = new Map<string, string>();
  private bindingsWritten: Promise<void> = Promise.resolve();
  private bindingsScheduled = false;

  static async connect(url: string, rootKey: Buffer, dbName: string = mongoDatabaseOf(url), options: MongoSubjectKeyStoreOptions = {}): Promise<MongoSubjectKeyStore> {
    const client = new MongoClient(url);
    await client.connect();
    const store = new MongoSubjectKeyStore(client, client.db(dbName), rootKey, options);
    await store.subjects.createIndex({ keyId: 1 }, { unique: true, name: 'keyId' });
    await store.dataKeys.createIndex({ subjectId: 1, createdAt: -1 }, { name: 'subjectId' });
    await store.checkRootKey();
    return store;
  }

  private readonly accounts: Collection<AccountKeyDocument>;
  private readonly subjects: Collection<SubjectKeyDocument>;
  private readonly dataKeys: Collection<DataKeyDocument>;

  private constructor(
    private readonly client: MongoClient,
    db: Db,
    private readonly rootKey: Buffer,
    options: MongoSubjectKeyStoreOptions,
  ) {
    super();
    this.accounts = db.collection<AccountKeyDocument>('privacy_account_keys');
    this.subjects = db.collection<SubjectKeyDocument>('privacy_subject_keys');
    this.dataKeys = db.collection<DataKeyDocument>('privacy_data_keys');
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.liveKeys = new KeyCache(cacheSize);
    this.keysById = new KeyCache(cacheSize);
    this.pool = new KeyPool((accountId, count) => this.makeKeys(accountId, count), options.pool);
  }

  override async keyFor(subject: DataSubject): Promise<DataKey> {
    const cached = this.liveKeys.get(subject.subjectId);
    if (cached) return cached;
    return this.handout.give(
      subject.subjectId,
      () => this.find(subject),
      ({ dataKey, fromPool }) => {
        if (fromPool) this.bindLater(subject.subjectId, dataKey.keyId);
        return this.remember(subject.subjectId, dataKey);
      },
    );
  }

  override async keyById(keyId: string, namedBy?: DataSubject): Promise<Buffer | undefined> {
    const cached = this.keysById.get(keyId);
    if (cached) return cached;
    const pooled = await this.dataKeys.findOne({ _id: keyId });
    if (pooled) {
      // Still in the pool: never handed out, so no event may open with it.
      if (!pooled.wrapped || this.pool.holds(keyId)) return undefined;
      const key = await this.unwrapDataKey(pooled);
      if (pooled.subjectId === null && !this.pendingBindings.has(keyId)) {
        // Handed out before a crash that lost its binding: the event naming it says whose it is.
        if (!namedBy) return key;
        this.bindLater(namedBy.subjectId, keyId);
      }
      this.keysById.set(keyId, key);
      return key;
    }
    const document = await this.subjects.findOne({ keyId });
    if (!document?.wrapped) return undefined;
    const key = await this.unwrapSubjectKey(document);
    this.keysById.set(keyId, key);
    return key;
  }

  override async liveKeyIdOf(subjectId: string): Promise<string | undefined> {
    await this.writeBindings();
    const document = await this.subjects.findOne({ _id: subjectId });
    if (document) return document.wrapped ? document.keyId : undefined;
    return (await this.boundDataKeyOf(subjectId))?._id;
  }

  override async destroy(subjectId: string): Promise<readonly string[]> {
    this.handout.erasing(subjectId);
    await this.writeBindings();
    const before = await this.subjects.findOneAndUpdate(
      { _id: subjectId },
      { $set: { wrapped: null, destroyedAt: new Date() }, $setOnInsert: { keyId: `erased-${randomUUID()}`, accountId: '', createdAt: new Date() } },
      { upsert: true, returnDocument: 'before', ...DURABLE },
    );
    const bound = await this.dataKeys.find({ subjectId, wrapped: { $ne: null } }, { projection: { _id: 1 } }).toArray();
    const boundIds = bound.map((document) => document._id);
    if (boundIds.length > 0) await this.dataKeys.updateMany({ _id: { $in: boundIds } }, { $set: { wrapped: null, destroyedAt: new Date() } }, DURABLE);
    const destroyed = [...(before?.wrapped ? [before.keyId] : []), ...boundIds];
    this.liveKeys.delete(subjectId);
    for (const keyId of destroyed) this.keysById.delete(keyId);
    return destroyed;
  }

  override async close(): Promise<void> {
    try {
      await this.writeBindings();
      // Never handed out, so nothing was sealed with them: no reason to keep them.
      const unused = this.pool.drain().map((key) => key.keyId);
      if (unused.length > 0) await this.dataKeys.deleteMany({ _id: { $in: unused }, subjectId: null });
    } finally {
      await this.client.close();
    }
  }

  /** The subject's stored key, or one from the pool when it has none. */
  private async find(subject: DataSubject): Promise<{ readonly dataKey: DataKey; readonly fromPool: boolean }> {
    const document = await this.subjects.findOne({ _id: subject.subjectId });
    if (document) {
      if (!document.wrapped) throw new SubjectErasedError(subject.subjectId);
      return { dataKey: { keyId: document.keyId, key: await this.unwrapSubjectKey(document) }, fromPool: false };
    }
    const bound = await this.boundDataKeyOf(subject.subjectId);
    if (bound) return { dataKey: { keyId: bound._id, key: await this.unwrapDataKey(bound) }, fromPool: false };
    return { dataKey: await this.pool.take(subject.accountId), fromPool: true };
  }

  /** After a lost binding a subject may have several keys (docs/PRIVACY.md): the newest seals. */
  private boundDataKeyOf(subjectId: string): Promise<DataKeyDocument | null> {
    return this.dataKeys.findOne({ subjectId, wrapped: { $ne: null } }, { sort: { createdAt: -1 } });
  }

  private async makeKeys(accountId: string, count: number): Promise<DataKey[]> {
    const accountKey = await this.accountKey(accountId, true);
    const createdAt = new Date();
    const made = Array.from({ length: count }, () => ({ keyId: randomUUID(), key: newDataKey() }));
    await this.dataKeys.insertMany(
      made.map(({ keyId, key }) => ({ _id: keyId, accountId, subjectId: null, wrapped: new Binary(wrapKey(accountKey, key, pooledKeyBinding(keyId, accountId))), createdAt })),
      DURABLE,
    );
    return made;
  }

  private bindLater(subjectId: string, keyId: string): void {
    this.pendingBindings.set(keyId, subjectId);
    if (this.bindingsScheduled) return;
    this.bindingsScheduled = true;
    setImmediate(() => {
      // A failed write loses nothing: the events naming the key bind it again when read.
      this.writeBindings().catch(() => undefined);
    });
  }

  /** Writes the bindings waiting, after those already on their way. */
  private writeBindings(): Promise<void> {
    const bindings = this.pendingBindings;
    this.pendingBindings = new Map();
    this.bindingsScheduled = false;
    const previous = this.bindingsWritten.catch(() => undefined);
    this.bindingsWritten =
      bindings.size === 0
        ? previous
        : previous.then(async () => {
            await this.dataKeys.bulkWrite(
              [...bindings].map(([keyId, subjectId]) => ({ updateOne: { filter: { _id: keyId, subjectId: null }, update: { $set: { subjectId } } } })),
              { ordered: false },
            );
          });
    return this.bindingsWritten;
  }

  private remember(subjectId: string, dataKey: DataKey): DataKey {
    this.liveKeys.set(subjectId, dataKey);
    this.keysById.set(dataKey.keyId, dataKey.key);
    return dataKey;
  }

  private async unwrapSubjectKey(document: SubjectKeyDocument): Promise<Buffer> {
    const accountKey = await this.accountKey(document.accountId, false);
    return unwrapKey(accountKey, Buffer.from((document.wrapped as Binary).buffer), dataKeyBinding(document.keyId, document._id, document.accountId));
  }

  private async unwrapDataKey(document: DataKeyDocument): Promise<Buffer> {
    const accountKey = await this.accountKey(document.accountId, false);
    return unwrapKey(accountKey, Buffer.from((document.wrapped as Binary).buffer), pooledKeyBinding(document._id, document.accountId));
  }

  private async accountKey(accountId: string, create: boolean): Promise<Buffer> {
    const cached = this.accountKeys.get(accountId);
    if (cached) return cached;
    let document = await this.accounts.findOne({ _id: accountId });
    if (!document) {
      if (!create) throw new Error(`No key for account ${accountId}`);
      const key = newDataKey();
      try {
        await this.accounts.insertOne({ _id: accountId, wrapped: new Binary(wrapKey(this.rootKey, key, accountKeyBinding(accountId))), createdAt: new Date() }, DURABLE);
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
      document = await this.accounts.findOne({ _id: accountId });
      if (!document) throw new Error(`The key of account ${accountId} vanished while it was created`);
    }
    const key = unwrapKey(this.rootKey, Buffer.from(document.wrapped.buffer), accountKeyBinding(accountId));
    this.accountKeys.set(accountId, key);
    return key;
  }

  /** A replica with another ROOT_KEY stops at start-up instead of reading everyone as erased. */
  private async checkRootKey(): Promise<void> {
    const some = await this.accounts.findOne({});
    if (!some) return;
    try {
      await this.accountKey(some._id, false);
    } catch (error) {
      await this.client.close();
      throw new Error('ROOT_KEY does not open the account keys in MongoDB', { cause: error });
    }
  }
}
