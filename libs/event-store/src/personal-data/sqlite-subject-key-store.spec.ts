import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeSubjectKeyStoreContract } from '../testing/subject-key-store.contract';
import { accountKeyBinding, dataKeyBinding, encrypt, newKey } from './key-wrapping';
import { SqliteSubjectKeyStore } from './sqlite-subject-key-store';

const folders: string[] = [];
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'scim-keys-'));
  folders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describeSubjectKeyStoreContract('SQLite', async () => {
  const file = join(newFolder(), 'keys.db');
  const rootKey = randomBytes(32);
  return { store: SqliteSubjectKeyStore.open({ file, rootKey }), reopen: async () => SqliteSubjectKeyStore.open({ file, rootKey }), loseBindings: async () => loseBindings(file) };
});

/** What a power loss can do to bindings, which commit without an fsync. */
function loseBindings(file: string): void {
  const db = new Database(file);
  db.prepare('UPDATE data_keys SET subject_id = NULL').run();
  db.close();
}

describe('SqliteSubjectKeyStore', () => {
  it('leaves no byte of a destroyed key in its files (WAL included), while the service still runs', async () => {
    const folder = newFolder();
    const file = join(folder, 'keys.db');
    const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32) });
    const alice = { accountId: randomUUID(), subjectId: randomUUID() };
    // Others around her on the same page: the page is not rewritten whole when her key goes.
    for (let i = 0; i < 10; i++) await store.keyFor({ accountId: alice.accountId, subjectId: randomUUID() });
    const { keyId } = await store.keyFor(alice);
    for (let i = 0; i < 10; i++) await store.keyFor({ accountId: alice.accountId, subjectId: randomUUID() });
    const wrapped = new Database(file, { readonly: true }).prepare<[string], Buffer>('SELECT wrapped FROM data_keys WHERE key_id = ?').pluck().get(keyId);
    const filesHold = () => readdirSync(folder).some((name) => readFileSync(join(folder, name)).includes(wrapped as Buffer));
    expect(filesHold()).toBe(true);

    await store.destroy(alice.subjectId);
    expect(filesHold()).toBe(false);
    await store.close();
    expect(filesHold()).toBe(false);
  });

  it('wraps keys: the file alone, or with another root key, gives none of them', async () => {
    const file = join(newFolder(), 'keys.db');
    const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32) });
    const alice = { accountId: randomUUID(), subjectId: randomUUID() };
    const key = await store.keyFor(alice);
    await store.close();
    expect(readFileSync(file).includes(key.key)).toBe(false);

    expect(() => SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32) })).toThrow(/root key does not open/);
  });

  describe('key pool', () => {
    const subject = (accountId: string) => ({ accountId, subjectId: randomUUID() });
    const keyRows = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare<[], { key_id: string; subject_id: string | null }>('SELECT key_id, subject_id FROM data_keys').all();
      } finally {
        db.close();
      }
    };
    it('gives keys written ahead in one batch, not one durable write per subject', async () => {
      const file = join(newFolder(), 'keys.db');
      const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32), pool: { firstBatch: 8 } });
      const accountId = randomUUID();
      const given = [];
      for (let i = 0; i < 5; i++) given.push(await store.keyFor(subject(accountId)));
      const rows = keyRows(file);
      expect(rows).toHaveLength(8);
      expect(rows.map((row) => row.key_id)).toEqual(expect.arrayContaining(given.map((key) => key.keyId)));
      await store.close();
    });

    it('opens nothing with a key never handed out, removes such keys on close, and never hands out one left by a crash', async () => {
      const file = join(newFolder(), 'keys.db');
      const rootKey = randomBytes(32);
      const store = SqliteSubjectKeyStore.open({ file, rootKey, pool: { firstBatch: 8 } });
      const accountId = randomUUID();
      const alice = subject(accountId);
      const aliceKey = await store.keyFor(alice);
      await store.liveKeyIdOf(alice.subjectId);
      const unused = keyRows(file).filter((row) => row.subject_id === null).map((row) => row.key_id);
      expect(unused).toHaveLength(7);
      for (const keyId of unused) expect(await store.keyById(keyId, alice)).toBeUndefined();

      // A second process on the same file, as after a crash of the first: its pool is its own.
      const afterCrash = SqliteSubjectKeyStore.open({ file, rootKey, pool: { firstBatch: 8 } });
      const bobKey = await afterCrash.keyFor(subject(accountId));
      expect(unused).not.toContain(bobKey.keyId);
      await afterCrash.close();

      await store.close();
      expect(keyRows(file).filter((row) => unused.includes(row.key_id))).toEqual([]);
      const reopened = SqliteSubjectKeyStore.open({ file, rootKey });
      expect(await reopened.keyById(aliceKey.keyId)).toEqual(aliceKey.key);
      await reopened.close();
    });

    it('hands out none of a batch before its sync of keys.db ended (made off the event loop)', async () => {
      const file = join(newFolder(), 'keys.db');
      let release: () => void = () => undefined;
      const syncs: number[] = [];
      const syncWal = (fd: number) => {
        syncs.push(fd);
        return new Promise<void>((resolve) => (release = resolve));
      };
      const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32), pool: { firstBatch: 2 }, syncWal });
      const accountId = randomUUID();
      // The first batch commits with SQLite's own sync; the next one is synced by `syncWal`.
      await store.keyFor(subject(accountId));
      await store.keyFor(subject(accountId));
      let given: string | undefined;
      const third = store.keyFor(subject(accountId)).then((key) => (given = key.keyId));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(syncs).toHaveLength(1);
      expect(keyRows(file)).toHaveLength(6);
      expect(given).toBeUndefined();

      release();
      await third;
      expect(keyRows(file).map((row) => row.key_id)).toContain(given);
      await store.close();
    });

    it('makes no key after a failed sync of keys.db, while the keys given still serve and erasure still works', async () => {
      const file = join(newFolder(), 'keys.db');
      const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32), pool: { firstBatch: 2 }, syncWal: () => Promise.reject(new Error('EIO')) });
      const accountId = randomUUID();
      const alice = subject(accountId);
      const aliceKey = await store.keyFor(alice);
      await store.keyFor(subject(accountId));
      await expect(store.keyFor(subject(accountId))).rejects.toThrow(/could not be synced to disk \(EIO\)/);
      await expect(store.keyFor(subject(accountId))).rejects.toThrow(/makes no more keys/);
      expect(await store.keyFor(alice)).toEqual(aliceKey);
      expect(await store.destroy(alice.subjectId)).toEqual([aliceKey.keyId]);
      await store.close();
    });

    it('still reads, gives and destroys keys made one per subject before pools existed', async () => {
      const file = join(newFolder(), 'keys.db');
      const rootKey = randomBytes(32);
      await SqliteSubjectKeyStore.open({ file, rootKey }).close();
      const alice = subject(randomUUID());
      const legacy = { keyId: randomUUID(), key: newKey() };
      const accountKey = newKey();
      const db = new Database(file);
      const at = new Date().toISOString();
      db.prepare('INSERT INTO account_keys (account_id, wrapped, created_at) VALUES (?, ?, ?)').run(alice.accountId, encrypt(rootKey, accountKey, accountKeyBinding(alice.accountId)), at);
      db.prepare('INSERT INTO subject_keys (subject_id, key_id, account_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?)').run(
        alice.subjectId,
        legacy.keyId,
        alice.accountId,
        encrypt(accountKey, legacy.key, dataKeyBinding(legacy.keyId, alice.subjectId, alice.accountId)),
        at,
      );
      db.close();

      const store = SqliteSubjectKeyStore.open({ file, rootKey });
      expect(await store.keyFor(alice)).toEqual(legacy);
      expect(await store.keyById(legacy.keyId)).toEqual(legacy.key);
      expect(await store.liveKeyIdOf(alice.subjectId)).toBe(legacy.keyId);
      expect(await store.destroy(alice.subjectId)).toEqual([legacy.keyId]);
      expect(await store.keyById(legacy.keyId)).toBeUndefined();
      await store.close();
    });
  });
});
