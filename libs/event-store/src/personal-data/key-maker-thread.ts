import { SqliteThreadRequests, startSqliteThread } from '../sqlite/sqlite-thread';
import type { DataKey } from './subject-key-store.port';
import { KEY_BYTES } from './key-wrapping';

/**
 * The thread's program (`startSqliteThread`, its own connection to keys.db): one batch of pooled
 * keys per request (ids, keys, each wrapped by its account's key as `encrypt` and
 * `pooledKeyBinding` of key-wrapping.ts do, which the key store checks on every unwrap), inserted
 * in one transaction committed with an fsync, then the keys handed back.
 */
const KEY_MAKER_PROGRAM = `
const { createCipheriv, randomBytes, randomUUID } = require('node:crypto');
db.pragma('busy_timeout = 5000');
db.pragma('secure_delete = ON');
// The commit returns once the WAL is on disk: no key of a batch is handed out before.
db.pragma('synchronous = FULL');
const insert = db.prepare('INSERT INTO data_keys (key_id, account_id, wrapped, created_at) VALUES (?, ?, ?, ?)');
function wrap(accountKey, key, keyId, accountId) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', accountKey, iv);
  cipher.setAAD(Buffer.from(JSON.stringify(['pooled-data-key', keyId, accountId]), 'utf8'));
  const body = cipher.update(key);
  cipher.final();
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}
const makeBatch = db.transaction(({ accountId, accountKey, count, at }) => {
  const key = Buffer.from(accountKey);
  const keys = randomBytes(count * workerData.keyBytes);
  const keyIds = [];
  for (let index = 0; index < count; index++) {
    const keyId = randomUUID();
    insert.run(keyId, accountId, wrap(key, keys.subarray(index * workerData.keyBytes, (index + 1) * workerData.keyBytes), keyId, accountId), at);
    keyIds.push(keyId);
  }
  key.fill(0);
  return { keyIds, keys };
});
return (request) => makeBatch.immediate(request);
`;

interface Batch {
  readonly keyIds: readonly string[];
  readonly keys: Uint8Array;
}

/**
 * Makes the key pool's batches on a thread with its own connection to keys.db: the ids, keys,
 * wraps, inserts and the commit's fsync (~36 µs of the event loop per key, measured) run beside
 * the loop. One batch at a time; the thread starts with the first request and ends with `stop`.
 */
export class KeyMakerThread {
  private readonly batches: SqliteThreadRequests<Batch>;
  private stopped = false;

  constructor(file: string) {
    this.batches = new SqliteThreadRequests(() => startSqliteThread(file, KEY_MAKER_PROGRAM, { keyBytes: KEY_BYTES }), 'key maker');
  }

  /** `count` new keys of the account, durable in keys.db (committed with an fsync) when this resolves. */
  async make(accountId: string, accountKey: Buffer, count: number): Promise<DataKey[]> {
    const reply = await this.batches.ask(() => {
      if (this.stopped) throw new Error('The key store is closed');
      // A copy of its own: a small Buffer is a view of a shared pool, which would be cloned whole.
      return { accountId, accountKey: new Uint8Array(accountKey), count, at: new Date().toISOString() };
    });
    if ('error' in reply) throw new Error(`No keys made: ${reply.error}`);
    const keys = Buffer.from(reply.keys.buffer, reply.keys.byteOffset, reply.keys.byteLength);
    return reply.keyIds.map((keyId, index) => ({ keyId, key: keys.subarray(index * KEY_BYTES, (index + 1) * KEY_BYTES) }));
  }

  /** Waits for the batch in flight, then closes the thread's connection. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.batches.close();
  }
}
