import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { KeyMakerThread } from './key-maker-thread';
import { KeyCache, KeyHandout, KeyPool, type KeyPoolOptions } from './key-pool';
import { SubjectFilter } from './subject-filter';
import { accountKeyBinding, dataKeyBinding, decrypt, encrypt, newKey, pooledKeyBinding } from './key-wrapping';
import type { DataSubject } from './personal-data-policy';
import { type DataKey, SubjectErasedError, SubjectKeyStore } from './subject-key-store.port';

export interface SqliteSubjectKeyStoreOptions {
  /** The key store's own file (DATA_DIR/keys.db), never the event log's. */
  readonly file: string;
  /** Wraps the per-account keys (see `loadRootKey`). */
  readonly rootKey: Buffer;
  /** For readers beside the service (cli export): no key is created or destroyed. */
  readonly readonly?: boolean;
  /** Unwrapped keys kept in memory (default 10,000). */
  readonly cacheSize?: number;
  readonly pool?: KeyPoolOptions;
  /** Subjects the filter of known subjects is first made for (default 131,072, 256 KiB). */
  readonly subjectFilterCapacity?: number;
}

// `subject_keys`: one key per subject, made on demand and bound to it in its wrapping (before key
// pools); still read, and its rows with no key mark the subjects erased. `data_keys`: keys made
// ahead in pools; `subject_id` is filled in once one is handed out, without waiting for the disk.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS account_keys (
  account_id TEXT PRIMARY KEY,
  wrapped BLOB NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subject_keys (
  subject_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  wrapped BLOB,
  created_at TEXT NOT NULL,
  destroyed_at TEXT
);
CREATE TABLE IF NOT EXISTS data_keys (
  key_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  subject_id TEXT,
  wrapped BLOB,
  created_at TEXT NOT NULL,
  destroyed_at TEXT
);
CREATE INDEX IF NOT EXISTS data_keys_by_subject ON data_keys (subject_id) WHERE subject_id IS NOT NULL;
`;

interface SubjectKeyRow {
  readonly subject_id: string;
  readonly key_id: string;
  readonly account_id: string;
  readonly wrapped: Buffer | null;
}

interface DataKeyRow {
  readonly key_id: string;
  readonly account_id: string;
  readonly subject_id: string | null;
  readonly wrapped: Buffer | null;
}

/** A row of `subject_keys` (own = 1) or `data_keys` (own = 0). */
interface KeyOfSubjectRow extends SubjectKeyRow {
  readonly own: 0 | 1;
}

const DEFAULT_CACHE_SIZE = 10_000;
const DEFAULT_SUBJECT_FILTER_CAPACITY = 131_072;
const BINDINGS_PER_TRANSACTION = 1_000;
const SUBJECTS_PER_SLICE = 10_000;
const BINDINGS_DELAY_MS = 1_000;

/**
 * Subject keys in their own SQLite file: each data key wrapped by its account's key, each account
 * key wrapped by the root key. `secure_delete` zeroes a destroyed key's bytes in the file, and a
 * checkpoint after each destruction empties the WAL, so no old page keeps it.
 *
 * Keys are made ahead, a batch per transaction committed with an fsync (`KeyPool`); handing one out
 * writes its subject in a transaction that does not wait for the disk (synchronous=NORMAL), a tick's
 * worth at a time. Destruction is committed with an fsync.
 */
export class SqliteSubjectKeyStore extends SubjectKeyStore {
  private readonly accountKeys = new Map<string, Buffer>();
  private readonly liveKeys: KeyCache<DataKey>;
  private readonly keysById: KeyCache<Buffer>;
  private readonly pool: KeyPool;
  private readonly handout = new KeyHandout();
  /** Bindings not yet written: key id → subject id, and each subject's live key among them. */
  private pendingBindings = new Map<string, string>();
  private pendingLiveKeys = new Map<string, DataKey>();
  private bindingsTimer?: NodeJS.Timeout;
  /**
   * Every subject the file may know (a bound key, or erased), pending bindings included: a new
   * person, asked about at every create, is given a key without a query that can find nothing
   * (~14 µs of the create's main thread). This process is the file's only writer; a read-only
   * store has none and always asks.
   */
  private subjects?: SubjectFilter;
  private subjectsComplete = false;
  /** Makes batches beside the event loop (none for `:memory:` and read-only stores). */
  private readonly keyMaker?: KeyMakerThread;
  private madeABatch = false;

  private readonly selectBySubject: Database.Statement<[string], SubjectKeyRow>;
  private readonly selectById: Database.Statement<[string], SubjectKeyRow>;
  private readonly selectAccountKey: Database.Statement<[string], Buffer>;
  private readonly insertAccountKey: Database.Statement<[string, Buffer, string]>;
  private readonly destroySubjectKeys: Database.Statement<[{ subjectId: string; keyId: string; at: string }]>;
  private readonly selectDataKey: Database.Statement<[string], DataKeyRow>;
  private readonly selectKeysOf: Database.Statement<[{ subjectId: string }], KeyOfSubjectRow>;
  private readonly insertDataKey: Database.Statement<[string, string, Buffer, string]>;
  private readonly bindDataKey: Database.Statement<[string, string]>;
  private readonly destroyDataKeysOf: Database.Statement<[string, string], string>;
  private readonly deleteUnusedDataKey: Database.Statement<[string]>;

  static open(options: SqliteSubjectKeyStoreOptions): SqliteSubjectKeyStore {
    if (options.readonly) {
      const db = new Database(options.file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      return new SqliteSubjectKeyStore(db, options, true).checkedRootKey();
    }
    if (options.file !== ':memory:') mkdirSync(dirname(resolvePath(options.file)), { recursive: true });
    const db = new Database(options.file);
    try {
      db.pragma('journal_mode = WAL');
      // Only bindings commit at this level; key batches and destructions commit with an fsync.
      db.pragma('synchronous = NORMAL');
      // Freed cells are overwritten with zeros: a destroyed key leaves no bytes behind in the file.
      db.pragma('secure_delete = ON');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
      return new SqliteSubjectKeyStore(db, options, false).checkedRootKey().withSubjectFilter();
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteSubjectKeyStoreOptions,
    private readonly readonly: boolean,
  ) {
    super();
    if (!readonly && options.file !== ':memory:') this.keyMaker = new KeyMakerThread(resolvePath(options.file));
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
    this.liveKeys = new KeyCache(cacheSize);
    this.keysById = new KeyCache(cacheSize);
    this.pool = new KeyPool((accountId, count) => this.makeKeys(accountId, count), options.pool);
    const columns = 'subject_id, key_id, account_id, wrapped';
    this.selectBySubject = db.prepare(`SELECT ${columns} FROM subject_keys WHERE subject_id = ?`);
    this.selectById = db.prepare(`SELECT ${columns} FROM subject_keys WHERE key_id = ?`);
    this.selectAccountKey = db.prepare<[string], Buffer>('SELECT wrapped FROM account_keys WHERE account_id = ?').pluck();
    this.insertAccountKey = db.prepare('INSERT INTO account_keys (account_id, wrapped, created_at) VALUES (?, ?, ?)');
    this.destroySubjectKeys = db.prepare(
      "INSERT INTO subject_keys (subject_id, key_id, account_id, wrapped, created_at, destroyed_at) VALUES (@subjectId, @keyId, '', NULL, @at, @at) " +
        'ON CONFLICT (subject_id) DO UPDATE SET wrapped = NULL, destroyed_at = COALESCE(destroyed_at, @at)',
    );
    this.selectDataKey = db.prepare(`SELECT ${columns} FROM data_keys WHERE key_id = ?`);
    // Both kinds in one statement (each statement outside a transaction takes the WAL read lock
    // anew): a new person is looked up at every create. After a lost binding a subject may have
    // several pooled keys (docs/PRIVACY.md): the newest seals.
    this.selectKeysOf = db.prepare(
      `SELECT 1 AS own, ${columns} FROM subject_keys WHERE subject_id = @subjectId UNION ALL ` +
        `SELECT * FROM (SELECT 0, ${columns} FROM data_keys WHERE subject_id = @subjectId AND wrapped IS NOT NULL ORDER BY rowid DESC LIMIT 1)`,
    );
    this.insertDataKey = db.prepare('INSERT INTO data_keys (key_id, account_id, wrapped, created_at) VALUES (?, ?, ?, ?)');
    this.bindDataKey = db.prepare('UPDATE data_keys SET subject_id = ? WHERE key_id = ? AND subject_id IS NULL');
    this.destroyDataKeysOf = db
      .prepare<[string, string], string>('UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE subject_id = ? AND wrapped IS NOT NULL RETURNING key_id')
      .pluck();
    this.deleteUnusedDataKey = db.prepare('DELETE FROM data_keys WHERE key_id = ? AND subject_id IS NULL');
  }

  /**
   * Starts the filter of subjects (a writable store only), filled from the file a slice per turn of
   * the event loop: 1,000,000 subjects took ~0.7 s, which a start must not wait for. Until it is
   * full, every subject is asked of the file.
   */
  private withSubjectFilter(): this {
    const filter = this.emptySubjectFilter(this.options.subjectFilterCapacity ?? DEFAULT_SUBJECT_FILTER_CAPACITY);
    this.subjects = filter;
    const slices = this.fill(filter);
    const next = () => {
      if (!this.db.open || this.subjects !== filter) return;
      if (slices.next().done) this.subjectsComplete = true;
      else setImmediate(next).unref();
    };
    next();
    return this;
  }

  /** Room for at least `capacity` subjects, and twice those the file and the pending bindings name. */
  private emptySubjectFilter(capacity: number): SubjectFilter {
    const stored = this.db.prepare<[], number>('SELECT (SELECT COUNT(*) FROM subject_keys) + (SELECT COUNT(*) FROM data_keys WHERE subject_id IS NOT NULL)').pluck().get() ?? 0;
    return new SubjectFilter(Math.max(capacity, 2 * (stored + this.pendingBindings.size)));
  }

  /** Adds every subject the file and the pending bindings name, a slice of each table at a time. */
  private *fill(filter: SubjectFilter): Generator<void> {
    for (const pending of this.pendingBindings.values()) filter.add(pending);
    for (const [table, known] of [['subject_keys', ''], ['data_keys', ' AND subject_id IS NOT NULL']]) {
      const first = this.db.prepare<[], string>(`SELECT subject_id FROM ${table} WHERE 1${known} ORDER BY subject_id LIMIT ${SUBJECTS_PER_SLICE}`).pluck();
      const after = this.db.prepare<[string], string>(`SELECT subject_id FROM ${table} WHERE subject_id > ?${known} ORDER BY subject_id LIMIT ${SUBJECTS_PER_SLICE}`).pluck();
      for (let slice = first.all(); slice.length > 0; slice = after.all(slice[slice.length - 1])) {
        for (const subjectId of slice) filter.add(subjectId);
        yield;
      }
    }
  }

  /** The subject now has a key (or is erased): the filter must say "maybe" for it. */
  private noteSubject(subjectId: string): void {
    if (!this.subjects) return;
    this.subjects.add(subjectId);
    if (!this.subjects.overfull) return;
    // Made again from the file, twice as large, at once (rarely: at each doubling of the subjects).
    const larger = this.emptySubjectFilter(2 * this.subjects.capacity);
    for (const _ of this.fill(larger));
    this.subjects = larger;
    this.subjectsComplete = true;
  }

  /** A wrong root key (ROOT_KEY of another installation) stops the start, rather than read as erased data. */
  private checkedRootKey(): this {
    const some = this.db.prepare<[], { account_id: string }>('SELECT account_id FROM account_keys LIMIT 1').get();
    try {
      if (some) this.accountKey(some.account_id);
      return this;
    } catch (error) {
      this.db.close();
      throw new Error(`The root key does not open the account keys in ${this.options.file}`, { cause: error });
    }
  }

  override async keyFor(subject: DataSubject): Promise<DataKey> {
    const cached = this.liveKeys.get(subject.subjectId) ?? this.pendingLiveKeys.get(subject.subjectId);
    if (cached) return cached;
    const known = this.subjectsComplete && !this.subjects?.mayHold(subject.subjectId) ? undefined : this.storedKeyOf(subject.subjectId);
    if (known) return known;
    if (this.readonly) throw new Error('The key store is open read-only');
    return this.handout.give(
      subject.subjectId,
      () => this.pool.take(subject.accountId),
      (dataKey) => {
        this.pendingLiveKeys.set(subject.subjectId, dataKey);
        this.bindLater(subject.subjectId, dataKey.keyId);
        return this.remember(subject.subjectId, dataKey);
      },
    );
  }

  override async keyById(keyId: string, namedBy?: DataSubject): Promise<Buffer | undefined> {
    const cached = this.keysById.get(keyId);
    if (cached) return cached;
    const pooled = this.selectDataKey.get(keyId);
    if (pooled) return this.openDataKey(pooled, namedBy);
    const row = this.selectById.get(keyId);
    if (!row?.wrapped) return undefined;
    const key = decrypt(this.accountKey(row.account_id), row.wrapped, dataKeyBinding(row.key_id, row.subject_id, row.account_id));
    this.keysById.set(keyId, key);
    return key;
  }

  override async liveKeyIdOf(subjectId: string): Promise<string | undefined> {
    this.writeBindings();
    const { own, pooled } = this.keysOf(subjectId);
    if (own) return own.wrapped ? own.key_id : undefined;
    return pooled?.key_id;
  }

  override async destroy(subjectId: string): Promise<readonly string[]> {
    if (this.readonly) throw new Error('The key store is open read-only');
    this.handout.erasing(subjectId);
    this.writeBindings();
    const destroyed = this.durably(() => {
      const row = this.selectBySubject.get(subjectId);
      const at = new Date().toISOString();
      // A subject never given a key is remembered as erased too: none may be given to it later.
      this.destroySubjectKeys.run({ subjectId, keyId: row?.key_id ?? `erased-${randomUUID()}`, at });
      return [...(row?.wrapped ? [row.key_id] : []), ...this.destroyDataKeysOf.all(at, subjectId)];
    });
    this.noteSubject(subjectId);
    this.liveKeys.delete(subjectId);
    for (const keyId of destroyed) this.keysById.delete(keyId);
    // The WAL still holds the pages written with the keys: copy them back (zeroed) and empty it.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return destroyed;
  }

  override async close(): Promise<void> {
    if (!this.db.open) return;
    if (!this.readonly) {
      // A batch still being made reaches its pool first, so it is drained with it.
      await this.keyMaker?.stop();
      this.writeBindings();
      // Never handed out, so nothing was sealed with them: no reason to keep them.
      const unused = this.pool.drain();
      this.db.transaction(() => unused.forEach(({ keyId }) => this.deleteUnusedDataKey.run(keyId))).immediate();
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    this.db.close();
  }

  /** The subject's key as stored, if it has one; throws when the subject was erased. */
  private storedKeyOf(subjectId: string): DataKey | undefined {
    const { own, pooled } = this.keysOf(subjectId);
    if (own) {
      if (!own.wrapped) throw new SubjectErasedError(subjectId);
      return this.remember(subjectId, { keyId: own.key_id, key: decrypt(this.accountKey(own.account_id), own.wrapped, dataKeyBinding(own.key_id, own.subject_id, own.account_id)) });
    }
    return pooled ? this.remember(subjectId, { keyId: pooled.key_id, key: this.unwrapDataKey(pooled) }) : undefined;
  }

  /** The subject's own key row (made before pools; no key: erased) and its newest live pooled key. */
  private keysOf(subjectId: string): { own?: KeyOfSubjectRow; pooled?: KeyOfSubjectRow } {
    const rows = this.selectKeysOf.all({ subjectId });
    return { own: rows.find((row) => row.own === 1), pooled: rows.find((row) => row.own === 0) };
  }

  private openDataKey(row: DataKeyRow, namedBy: DataSubject | undefined): Buffer | undefined {
    // Still in the pool: never handed out, so no event may open with it.
    if (!row.wrapped || this.pool.holds(row.key_id)) return undefined;
    const key = this.unwrapDataKey(row);
    if (row.subject_id === null && !this.pendingBindings.has(row.key_id)) {
      // Handed out before a crash that lost its binding: the event naming it says whose it is.
      if (!namedBy || this.readonly) return key;
      this.bindLater(namedBy.subjectId, row.key_id);
    }
    this.keysById.set(row.key_id, key);
    return key;
  }

  private unwrapDataKey(row: DataKeyRow): Buffer {
    return decrypt(this.accountKey(row.account_id), row.wrapped as Buffer, pooledKeyBinding(row.key_id, row.account_id));
  }

  /**
   * A batch of new keys, durable before any is handed out. The process's first is made here, in
   * one transaction with an fsync (the bindings waiting go with it; a create waits for no thread to
   * start); the others on the key maker's thread, so the loop serves requests meanwhile.
   */
  private async makeKeys(accountId: string, count: number): Promise<DataKey[]> {
    if (!this.db.open) throw new Error('The key store is closed');
    if (this.keyMaker && this.madeABatch) return this.keyMaker.make(accountId, this.accountKey(accountId), count);
    const made = this.durably(() => {
      this.writePendingBindings();
      const accountKey = this.accountKey(accountId);
      const at = new Date().toISOString();
      return Array.from({ length: count }, () => {
        const keyId = randomUUID();
        const key = newKey();
        this.insertDataKey.run(keyId, accountId, encrypt(accountKey, key, pooledKeyBinding(keyId, accountId)), at);
        return { keyId, key };
      });
    });
    this.madeABatch = true;
    return made;
  }

  /**
   * Bindings are written together, with the next batch of keys or within a second: nothing waits
   * for them (the events naming a key are its durable binding), so one transaction carries many.
   */
  private bindLater(subjectId: string, keyId: string): void {
    this.pendingBindings.set(keyId, subjectId);
    this.noteSubject(subjectId);
    if (this.pendingBindings.size >= BINDINGS_PER_TRANSACTION) setImmediate(() => this.db.open && this.writeBindings());
    else this.bindingsTimer ??= setTimeout(() => this.db.open && this.writeBindings(), BINDINGS_DELAY_MS).unref();
  }

  private writeBindings(): void {
    if (this.pendingBindings.size > 0) this.db.transaction(() => this.writePendingBindings()).immediate();
  }

  private writePendingBindings(): void {
    const bindings = this.pendingBindings;
    this.pendingBindings = new Map();
    this.pendingLiveKeys = new Map();
    clearTimeout(this.bindingsTimer);
    this.bindingsTimer = undefined;
    for (const [keyId, subjectId] of bindings) this.bindDataKey.run(subjectId, keyId);
  }

  /**
   * `work` in a transaction whose commit waits for the disk (WAL fsynced). IMMEDIATE: it reads
   * before it writes, and the key maker's thread may commit in between (a deferred one would fail).
   */
  private durably<T>(work: () => T): T {
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(work).immediate();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The account's key, unwrapped; created (inside the caller's transaction) on first use. */
  private accountKey(accountId: string): Buffer {
    const cached = this.accountKeys.get(accountId);
    if (cached) return cached;
    const wrapped = this.selectAccountKey.get(accountId);
    let key: Buffer;
    if (wrapped) {
      key = decrypt(this.options.rootKey, wrapped, accountKeyBinding(accountId));
    } else {
      if (this.readonly) throw new Error(`No key for account ${accountId}`);
      key = newKey();
      this.insertAccountKey.run(accountId, encrypt(this.options.rootKey, key, accountKeyBinding(accountId)), new Date().toISOString());
    }
    this.accountKeys.set(accountId, key);
    return key;
  }

  private remember(subjectId: string, dataKey: DataKey): DataKey {
    this.liveKeys.set(subjectId, dataKey);
    this.keysById.set(dataKey.keyId, dataKey.key);
    return dataKey;
  }
}
