import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeSubjectKeyStoreContract } from '../testing/subject-key-store.contract';
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
  return { store: SqliteSubjectKeyStore.open({ file, rootKey }), reopen: async () => SqliteSubjectKeyStore.open({ file, rootKey }) };
});

describe('SqliteSubjectKeyStore', () => {
  it('leaves no byte of a destroyed key in its files (WAL included), while the service still runs', async () => {
    const folder = newFolder();
    const file = join(folder, 'keys.db');
    const store = SqliteSubjectKeyStore.open({ file, rootKey: randomBytes(32) });
    const alice = { accountId: randomUUID(), subjectId: randomUUID() };
    // Others around her on the same page: the page is not rewritten whole when her key goes.
    for (let i = 0; i < 10; i++) await store.keyFor({ accountId: alice.accountId, subjectId: randomUUID() });
    await store.keyFor(alice);
    for (let i = 0; i < 10; i++) await store.keyFor({ accountId: alice.accountId, subjectId: randomUUID() });
    const wrapped = new Database(file, { readonly: true }).prepare<[string], Buffer>('SELECT wrapped FROM subject_keys WHERE subject_id = ?').pluck().get(alice.subjectId);
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
});
