import { randomUUID } from 'node:crypto';
import { Binary, type Collection, type Db, MongoClient, MongoServerError } from 'mongodb';
import {
  accountKeyBinding,
  type DataKey,
  dataKeyBinding,
  type DataSubject,
  newDataKey,
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

interface SubjectKeyDocument {
  readonly _id: string;
  readonly keyId: string;
  readonly accountId: string;
  readonly wrapped: Binary | null;
  readonly createdAt: Date;
  readonly destroyedAt?: Date;
}

const DUPLICATE_KEY = 11000;
// Acknowledged by a majority and journaled: a key must outlive any failover before an event uses it.
const DURABLE = { writeConcern: { w: 'majority' as const, j: true } };

/**
 * Subject keys in MongoDB (distributed mode), in collections of their own beside the read models,
 * wrapped as the SQLite adapter wraps them (same bindings, same root key from ROOT_KEY). Replicas
 * racing to create one subject's key agree through the unique `_id`: the loser reads the winner's.
 *
 * MongoDB does not zero what it frees: a destroyed key's wrapped bytes may linger in WiredTiger
 * pages, the oplog and backups until they are compacted or age out (docs/PRIVACY.md). They open only
 * with the account key, itself wrapped by the root key, which is never stored here.
 */
export class MongoSubjectKeyStore extends SubjectKeyStore {
  private readonly accountKeys = new Map<string, Buffer>();
  private readonly liveKeys = new Map<string, DataKey>();

  static async connect(url: string, rootKey: Buffer, dbName: string = mongoDatabaseOf(url)): Promise<MongoSubjectKeyStore> {
    const client = new MongoClient(url);
    await client.connect();
    const store = new MongoSubjectKeyStore(client, client.db(dbName), rootKey);
    await store.subjects.createIndex({ keyId: 1 }, { unique: true, name: 'keyId' });
    await store.checkRootKey();
    return store;
  }

  private constructor(
    private readonly client: MongoClient,
    db: Db,
    private readonly rootKey: Buffer,
  ) {
    super();
    this.accounts = db.collection<AccountKeyDocument>('privacy_account_keys');
    this.subjects = db.collection<SubjectKeyDocument>('privacy_subject_keys');
  }

  private readonly accounts: Collection<AccountKeyDocument>;
  private readonly subjects: Collection<SubjectKeyDocument>;

  override async keyFor(subject: DataSubject): Promise<DataKey> {
    const cached = this.liveKeys.get(subject.subjectId);
    if (cached) return cached;
    const existing = await this.subjects.findOne({ _id: subject.subjectId });
    if (existing) return this.live(existing);
    const keyId = randomUUID();
    const key = newDataKey();
    const accountKey = await this.accountKey(subject.accountId, true);
    const document: SubjectKeyDocument = {
      _id: subject.subjectId,
      keyId,
      accountId: subject.accountId,
      wrapped: new Binary(wrapKey(accountKey, key, dataKeyBinding(keyId, subject.subjectId, subject.accountId))),
      createdAt: new Date(),
    };
    try {
      await this.subjects.insertOne(document, DURABLE);
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      const winner = await this.subjects.findOne({ _id: subject.subjectId });
      if (!winner) throw error;
      return this.live(winner);
    }
    const dataKey = { keyId, key };
    this.liveKeys.set(subject.subjectId, dataKey);
    return dataKey;
  }

  override async keyById(keyId: string): Promise<Buffer | undefined> {
    const document = await this.subjects.findOne({ keyId });
    if (!document?.wrapped) return undefined;
    return this.unwrap(document);
  }

  override async liveKeyIdOf(subjectId: string): Promise<string | undefined> {
    const document = await this.subjects.findOne({ _id: subjectId });
    return document?.wrapped ? document.keyId : undefined;
  }

  override async destroy(subjectId: string): Promise<readonly string[]> {
    const before = await this.subjects.findOneAndUpdate(
      { _id: subjectId },
      { $set: { wrapped: null, destroyedAt: new Date() }, $setOnInsert: { keyId: `erased-${randomUUID()}`, accountId: '', createdAt: new Date() } },
      { upsert: true, returnDocument: 'before', ...DURABLE },
    );
    this.liveKeys.delete(subjectId);
    return before?.wrapped ? [before.keyId] : [];
  }

  override async close(): Promise<void> {
    await this.client.close();
  }

  private async live(document: SubjectKeyDocument): Promise<DataKey> {
    if (!document.wrapped) throw new SubjectErasedError(document._id);
    const dataKey = { keyId: document.keyId, key: await this.unwrap(document) };
    this.liveKeys.set(document._id, dataKey);
    return dataKey;
  }

  private async unwrap(document: SubjectKeyDocument): Promise<Buffer> {
    const accountKey = await this.accountKey(document.accountId, false);
    return unwrapKey(accountKey, Buffer.from((document.wrapped as Binary).buffer), dataKeyBinding(document.keyId, document._id, document.accountId));
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
