import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeSubjectKeyStoreContract } from '../testing/subject-key-store.contract';
import { accountKeyBinding, dataKeyBinding, encrypt, newKey } from './key-wrapping';
import { SqliteSubjectKeyStore } from './sqlite-subject-key-store';
import { SubjectErasedError } from './subject-key-store.port';

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

    it('makes the batches after the first on a thread of its own: keys that unwrap after a reopen, none left unused by a close', async () => {
      const file = join(newFolder(), 'keys.db');
      const rootKey = randomBytes(32);
      const store = SqliteSubjectKeyStore.open({ file, rootKey, pool: { firstBatch: 2, maxBatch: 8 } });
      const [acme, globex] = [randomUUID(), randomUUID()];
      const given = [];
      for (let i = 0; i < 20; i++) given.push(await store.keyFor(subject(i % 3 === 0 ? globex : acme)));
      expect(new Set(given.map((key) => key.keyId)).size).toBe(20);
      // A refill is on its way as the store closes: it is drained and its keys removed.
      await store.close();
      expect(keyRows(file).map((row) => row.key_id).sort()).toEqual(given.map((key) => key.keyId).sort());

      const reopened = SqliteSubjectKeyStore.open({ file, rootKey });
      for (const key of given) expect(await reopened.keyById(key.keyId)).toEqual(key.key);
      await reopened.close();
    });

    it('waits for the key maker thread when the pool runs dry, and a destroy racing its commit still destroys', async () => {
      const file = join(newFolder(), 'keys.db');
      const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32), pool: { firstBatch: 1, maxBatch: 2 } });
      const accountId = randomUUID();
      const people = Array.from({ length: 30 }, () => subject(accountId));
      const keys = await Promise.all(people.map((person) => store.keyFor(person)));
      const destroyed = await Promise.all(people.slice(0, 10).map((person) => store.destroy(person.subjectId)));
      expect(destroyed).toEqual(keys.slice(0, 10).map((key) => [key.keyId]));
      for (const key of keys.slice(0, 10)) expect(await store.keyById(key.keyId)).toBeUndefined();
      for (const key of keys.slice(10)) expect(await store.keyById(key.keyId)).toEqual(key.key);
      await store.close();
    });

    it('finds every subject it gave a key, pending bindings included, as its filter of subjects grows', async () => {
      const file = join(newFolder(), 'keys.db');
      // No cache and a filter made for 4: every lookup below goes through the filter, made again
      // several times while the bindings wait to be written.
      const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32), cacheSize: 0, subjectFilterCapacity: 4 });
      const accountId = randomUUID();
      const people = Array.from({ length: 40 }, () => ({ accountId, subjectId: randomUUID() }));
      const given = [];
      for (const person of people) given.push(await store.keyFor(person));
      await store.destroy(people[0].subjectId);
      // Writes the bindings: from now on only the file and the filter know them.
      await store.liveKeyIdOf(people[1].subjectId);
      await expect(store.keyFor(people[0])).rejects.toBeInstanceOf(SubjectErasedError);
      for (let index = 1; index < people.length; index++) expect(await store.keyFor(people[index])).toEqual(given[index]);
      await store.close();
    });

    it('gives the keys of subjects stored before it opened, while its filter of subjects fills and after', async () => {
      const file = join(newFolder(), 'keys.db');
      const rootKey = randomBytes(32);
      const accountId = randomUUID();
      const people = Array.from({ length: 30 }, () => ({ accountId, subjectId: randomUUID() }));
      const first = SqliteSubjectKeyStore.open({ file, rootKey, cacheSize: 0 });
      const given = [];
      for (const person of people) given.push(await first.keyFor(person));
      await first.destroy(people[0].subjectId);
      await first.close();
      const reopened = SqliteSubjectKeyStore.open({ file, rootKey, cacheSize: 0 });
      // At once (the filter is filled a slice per turn), then once it is full.
      expect(await reopened.keyFor(people[1])).toEqual(given[1]);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      await expect(reopened.keyFor(people[0])).rejects.toBeInstanceOf(SubjectErasedError);
      for (let index = 1; index < people.length; index++) expect(await reopened.keyFor(people[index])).toEqual(given[index]);
      const stranger = { accountId, subjectId: randomUUID() };
      expect(given.map((key) => key.keyId)).not.toContain((await reopened.keyFor(stranger)).keyId);
      await reopened.close();
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
