import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as sqliteThread from '@scim/event-store/sqlite/sqlite-thread';
import { waitFor } from '@scim/event-store/testing/event-store.contract';
import { type Doc, UniqueIndexViolationError } from '../read-store.port';
import { tablesOf, writeEarlierLayoutFile } from '../testing/earlier-layout';
import { describeReadStoreContract } from '../testing/read-store.contract';
import { BACKSTOP_CHECKPOINT_PAGES } from '@scim/event-store/sqlite/wal-checkpointer';
import { DOCUMENTS_PER_CHECKPOINT, EmbeddedReadStore } from './embedded-read-store';

describeReadStoreContract('EmbeddedReadStore in memory', async () => ({
  store: EmbeddedReadStore.open({ file: ':memory:' }),
}));

describeReadStoreContract('EmbeddedReadStore on a file', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'read-store-contract-'));
  const store = EmbeddedReadStore.open({ file: join(directory, 'read-models.sqlite') });
  return {
    store,
    teardown: async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describeReadStoreContract('EmbeddedReadStore on a scratch file', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'read-store-contract-'));
  const store = EmbeddedReadStore.open({ file: join(directory, 'read-models.sqlite'), scratch: true });
  return {
    store,
    teardown: async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedReadStore persistence', () => {
  let directory: string;
  let file: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'read-store-reopen-'));
    file = join(directory, 'nested', 'read-models.sqlite');
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('reopening the file gives back the documents in insertion order, the checkpoints and the unique indexes', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.ensureIndexes('users', [{ name: 'userName', fields: [['userName', 1]], unique: true }]);
    await store.commit(
      ['c', 'a', 'b'].map((id) => ({ collection: 'users', id, doc: { _id: id, userName: id, tags: [id] } })),
      { projection: 'users', position: 3 },
    );
    await store.commit([{ collection: 'users', id: 'c', doc: { _id: 'c', userName: 'c2' } }], { projection: 'users', position: 5 });
    await store.commit([{ collection: 'users', id: 'a', doc: null }], { projection: 'users', position: 6 });
    await store.commit([{ collection: 'users', id: 'a', doc: { _id: 'a', userName: 'a' } }], { projection: 'users', position: 7 });
    await store.commit([{ collection: 'groups', id: 'g', doc: { _id: 'g' } }], { projection: 'groups', position: 4 });
    const before = await store.find('users', {});
    await store.close();

    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect(await reopened.find('users', {})).toEqual(before);
      expect(before.map((doc) => doc._id)).toEqual(['c', 'b', 'a']);
      expect(await reopened.get('users', 'c')).toEqual({ _id: 'c', userName: 'c2' });
      expect(await reopened.get('groups', 'g')).toEqual({ _id: 'g' });
      expect(await reopened.checkpoint('users')).toBe(7);
      expect(await reopened.checkpoint('groups')).toBe(4);
      await expect(
        reopened.commit([{ collection: 'users', id: 'd', doc: { _id: 'd', userName: 'b' } }], { projection: 'users', position: 8 }),
      ).rejects.toBeInstanceOf(UniqueIndexViolationError);
      // New documents go after the reloaded ones.
      await reopened.commit([{ collection: 'users', id: 'd', doc: { _id: 'd', userName: 'd' } }], { projection: 'users', position: 8 });
      expect((await reopened.find('users', {})).map((doc) => doc._id)).toEqual(['c', 'b', 'a', 'd']);
    } finally {
      await reopened.close();
    }
  });

  it('keeps a field stored apart in a column of its own (a string or number as it is, other values as JSON), and documents read back with their keys in order after a reopen', async () => {
    const doc = { _id: 'u1', accountId: 'a', repr: '{"id":"u1","name":"Zoë"}', search: { name: 'zoë' }, _position: 3 };
    const store = EmbeddedReadStore.open({ file });
    await store.ensureStoredApart('users', ['repr', 'search']);
    await store.commit([{ collection: 'users', id: 'u1', doc }], { projection: 'users', position: 3 });
    await store.close();

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare('SELECT doc, "apart:repr", "apart:search" FROM "c:users"').raw().get()).toEqual([
        JSON.stringify({ ...doc, repr: null, search: null }),
        doc.repr,
        Buffer.from(JSON.stringify(doc.search)),
      ]);
    } finally {
      raw.close();
    }
    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect(JSON.stringify(await reopened.get('users', 'u1'))).toBe(JSON.stringify(doc));
      expect(await reopened.find('users', {}, { fields: ['repr'] })).toEqual([{ _id: 'u1', repr: doc.repr }]);
      // The declaration is kept in the file: the next version is stored apart too.
      await reopened.commit([{ collection: 'users', id: 'u2', doc: { ...doc, _id: 'u2' } }], { projection: 'users', position: 4 });
      expect(await reopened.find('users', { 'search.name': 'zoë' }, { fields: ['repr'] })).toEqual([
        { _id: 'u1', repr: doc.repr },
        { _id: 'u2', repr: doc.repr },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('a field named "__proto__" is stored as a field, in the body or apart', async () => {
    const body = JSON.parse('{"_id":"u1","__proto__":{"polluted":true},"repr":"r","n":1}') as Doc;
    const apart = JSON.parse('{"_id":"g1","__proto__":"apart","n":1}') as Doc;
    const store = EmbeddedReadStore.open({ file });
    try {
      await store.ensureStoredApart('users', ['repr']);
      await store.ensureStoredApart('groups', ['__proto__']);
      const changes = [
        { collection: 'users', id: 'u1', doc: body },
        { collection: 'groups', id: 'g1', doc: apart },
      ];
      await store.commit(changes, { projection: 'p', position: 1 });
      const read = await store.get('users', 'u1');
      expect(JSON.stringify(read)).toBe(JSON.stringify(body));
      expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare('SELECT doc, "apart:__proto__" FROM "c:groups"').raw().get()).toEqual(['{"_id":"g1","__proto__":null,"n":1}', 'apart']);
    } finally {
      raw.close();
    }
  });

  it('fields stored apart keep their JSON types (numbers, booleans, null, arrays), whole, read alone and queried', async () => {
    const store = EmbeddedReadStore.open({ file });
    try {
      await store.ensureStoredApart('users', ['version', 'flag', 'none', 'list', 'text']);
      const doc = { _id: 'u1', version: 3, flag: true, none: null, list: ['g1'], text: 'x', other: 1 };
      await store.commit([{ collection: 'users', id: 'u1', doc }], { projection: 'users', position: 1 });
      expect(JSON.stringify(await store.get('users', 'u1'))).toBe(JSON.stringify(doc));
      expect(await store.find('users', {}, { fields: ['version', 'flag', 'none', 'list', 'text'] })).toEqual([{ _id: 'u1', version: 3, flag: true, none: null, list: ['g1'], text: 'x' }]);
      expect(await store.count('users', { version: 3, flag: true, none: null, list: 'g1', text: 'x' })).toBe(1);
      expect(await store.count('users', { version: '3' })).toBe(0);
      expect(await store.count('users', { list: ['g1'] })).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a document without a field stored apart reads back without it, whole and read alone, written before the declaration or after', async () => {
    const store = EmbeddedReadStore.open({ file });
    try {
      await store.commit([{ collection: 'users', id: 'u0', doc: { _id: 'u0', text: 'before' } }], { projection: 'users', position: 1 });
      await store.ensureStoredApart('users', ['text', 'list']);
      await store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', other: 1 } }], { projection: 'users', position: 2 });
      const texts = (docs: unknown[]) => docs.map((doc) => JSON.stringify(doc));
      expect(texts(await store.find('users', {}))).toEqual(['{"_id":"u0","text":"before"}', '{"_id":"u1","other":1}']);
      expect(texts(await store.find('users', {}, { fields: ['text', 'list'] }))).toEqual(['{"_id":"u0","text":"before"}', '{"_id":"u1"}']);
    } finally {
      await store.close();
    }
  });

  it('moves the values of documents already stored when a field is declared stored apart, so filters and reads find them in its column', async () => {
    const store = EmbeddedReadStore.open({ file });
    try {
      await store.ensureStoredApart('users', ['text']);
      await store.commit([{ collection: 'users', id: 'u0', doc: { _id: 'u0', text: 'before', list: ['g1'], n: 2 } }], { projection: 'users', position: 1 });
      await store.ensureStoredApart('users', ['list', 'n', 'list']);
      expect(await store.count('users', { list: 'g1', n: { $gt: 1 }, text: 'before' })).toBe(1);
      expect(await store.find('users', {}, { fields: ['list', 'n'] })).toEqual([{ _id: 'u0', list: ['g1'], n: 2 }]);
    } finally {
      await store.close();
    }
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.prepare('SELECT doc, "apart:text", "apart:list", "apart:n" FROM "c:users"').raw().get()).toEqual([
        JSON.stringify({ _id: 'u0', text: null, list: null, n: null }),
        'before',
        Buffer.from('["g1"]'),
        2,
      ]);
    } finally {
      raw.close();
    }
  });

  it('empties a file of the layout that kept fields declared later in the documents (user_version 3): the projections rebuild it', async () => {
    mkdirSync(dirname(file), { recursive: true });
    const earlier = new Database(file);
    earlier.exec(`CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL); INSERT INTO checkpoints VALUES ('users', 4); PRAGMA user_version = 3;`);
    earlier.close();
    const store = EmbeddedReadStore.open({ file });
    try {
      expect(store.replacedEarlierLayout).toBe(true);
      expect(await store.checkpoint('users')).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('empties a file of an earlier layout instead of reading it: no documents, no checkpoints, so the projections rebuild it', async () => {
    mkdirSync(dirname(file), { recursive: true });
    writeEarlierLayoutFile(file, { users: 9 });

    const store = EmbeddedReadStore.open({ file });
    try {
      expect(await store.checkpoint('users')).toBe(0);
      expect(await store.get('users', 'u1')).toBeNull();
      await store.ensureIndexes('users', [{ name: 'userName', fields: [['userName', 1]], unique: true }]);
      await store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', userName: 'alice' } }], { projection: 'users', position: 9 });
    } finally {
      await store.close();
    }
    expect(tablesOf(file)).toEqual(['c:users', 'checkpoints', 'collections', 'i:users$userName', 'indexes']);
    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect(await reopened.get('users', 'u1')).toEqual({ _id: 'u1', userName: 'alice' });
      expect(await reopened.checkpoint('users')).toBe(9);
    } finally {
      await reopened.close();
    }
  });

  it('overwrites deleted documents in the file (secure_delete), so erased personal data does not linger in free pages', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.commit([{ collection: 'users', id: 'u1', doc: { _id: 'u1', email: 'erase-me@example.com' } }], { projection: 'users', position: 1 });
    await store.commit([{ collection: 'users', id: 'u1', doc: null }], { projection: 'users', position: 2 });
    await store.close();
    expect(readFileSync(file).includes('erase-me@example.com')).toBe(false);
  });

  it('an index added to a filled collection is stored with every document, and used after a reopen', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.commit(
      ['a', 'b', 'c'].map((id) => ({ collection: 'groups', id, doc: { _id: id, tags: id === 'b' ? ['x'] : ['x', 'y'] } })),
      { projection: 'groups', position: 3 },
    );
    await store.ensureIndexes('groups', [{ name: 'tag', fields: [['tags', 1]] }]);
    expect((await store.find('groups', { tags: 'y' })).map((doc) => doc._id)).toEqual(['a', 'c']);
    await store.commit([{ collection: 'groups', id: 'a', doc: { _id: 'a', tags: ['z'] } }], { projection: 'groups', position: 4 });
    await store.close();

    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect((await reopened.find('groups', { tags: 'y' })).map((doc) => doc._id)).toEqual(['c']);
      expect((await reopened.find('groups', { tags: 'z' })).map((doc) => doc._id)).toEqual(['a']);
      expect(await reopened.count('groups', { tags: 'x' })).toBe(2);
    } finally {
      await reopened.close();
    }
  });

  it('replacements that keep their keys or change them leave loaded indexes and stored keys right', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.ensureIndexes('users', [
      { name: 'team', fields: [['team', 1]] },
      { name: 'roles', fields: [['roles', 1]] },
    ]);
    const ids = ['u0', 'u1', 'u2', 'u3'];
    await store.commit(ids.map((id) => ({ collection: 'users', id, doc: { _id: id, team: 't', roles: [], n: 0 } })), { projection: 'users', position: 1 });
    // Loads both indexes before the replacements.
    expect(await store.count('users', { team: 't' })).toBe(4);
    expect(await store.count('users', { roles: 'admin' })).toBe(0);
    await store.commit(
      [
        { collection: 'users', id: 'u0', doc: { _id: 'u0', team: 't', roles: [], n: 1 } },
        { collection: 'users', id: 'u1', doc: { _id: 'u1', team: 't', roles: ['admin'], n: 1 } },
        { collection: 'users', id: 'u2', doc: { _id: 'u2', team: 's', roles: ['admin', 'ops'], n: 1 } },
        { collection: 'users', id: 'u3', doc: null },
      ],
      { projection: 'users', position: 2 },
    );
    const expectations = async (reading: EmbeddedReadStore) => {
      expect((await reading.find('users', { team: 't' })).map((doc) => doc._id)).toEqual(['u0', 'u1']);
      expect((await reading.find('users', { team: 's' })).map((doc) => doc._id)).toEqual(['u2']);
      expect((await reading.find('users', { roles: 'admin' })).map((doc) => doc._id)).toEqual(['u1', 'u2']);
      expect((await reading.find('users', { roles: 'ops' })).map((doc) => doc._id)).toEqual(['u2']);
      expect((await reading.find('users', { n: 1 })).map((doc) => doc._id)).toEqual(['u0', 'u1', 'u2']);
    };
    await expectations(store);
    await store.close();

    const reopened = EmbeddedReadStore.open({ file });
    try {
      await expectations(reopened);
    } finally {
      await reopened.close();
    }
  });

  it('reads every document right, and never an outdated version', async () => {
    const store = EmbeddedReadStore.open({ file });
    try {
      await store.ensureIndexes('users', [{ name: 'team', fields: [['team', 1]] }]);
      const ids = Array.from({ length: 10 }, (_, i) => `u${i}`);
      await store.commit(ids.map((id, i) => ({ collection: 'users', id, doc: { _id: id, team: i % 2 === 0 ? 'even' : 'odd', n: i } })), {
        projection: 'users',
        position: 1,
      });
      for (const id of ids) expect((await store.get('users', id))?._id).toBe(id);
      expect(await store.get('users', 'u9')).toEqual({ _id: 'u9', team: 'odd', n: 9 });
      await store.commit([{ collection: 'users', id: 'u9', doc: { _id: 'u9', team: 'even', n: 90 } }], { projection: 'users', position: 2 });
      expect(await store.get('users', 'u9')).toEqual({ _id: 'u9', team: 'even', n: 90 });
      expect((await store.find('users', { team: 'even' })).map((doc) => doc.n)).toEqual([0, 2, 4, 6, 8, 90]);
      expect((await store.find('users', { n: { $gte: 8 } })).map((doc) => doc._id)).toEqual(['u8', 'u9']);
      await store.commit([{ collection: 'users', id: 'u9', doc: null }], { projection: 'users', position: 3 });
      expect(await store.get('users', 'u9')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('after a reopen, a commit to a collection not read yet replaces its stored documents instead of adding twins', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.commit([{ collection: 'notes', id: 'n', doc: { _id: 'n', v: 1 } }], { projection: 'notes', position: 1 });
    await store.close();
    const reopened = EmbeddedReadStore.open({ file });
    try {
      await reopened.commit([{ collection: 'notes', id: 'n', doc: { _id: 'n', v: 2 } }], { projection: 'notes', position: 2 });
      expect(await reopened.find('notes', {})).toEqual([{ _id: 'n', v: 2 }]);
    } finally {
      await reopened.close();
    }
    const again = EmbeddedReadStore.open({ file });
    try {
      expect(await again.find('notes', {})).toEqual([{ _id: 'n', v: 2 }]);
    } finally {
      await again.close();
    }
  });

  it('opens an up-to-date file while another connection holds its write lock (cli rebuild beside the service)', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.ensureIndexes('users', [{ name: 'team', fields: [['team', 1]] }]);
    await store.commit([{ collection: 'users', id: 'a', doc: { _id: 'a', team: 't' } }], { projection: 'users', position: 1 });
    await store.close();
    const writer = new Database(file);
    writer.exec('BEGIN IMMEDIATE');
    try {
      const reader = EmbeddedReadStore.open({ file });
      try {
        expect(await reader.find('users', { team: 't' })).toEqual([{ _id: 'a', team: 't' }]);
      } finally {
        await reader.close();
      }
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('a rejected commit that created a collection leaves it absent and the store usable', async () => {
    const store = EmbeddedReadStore.open({ file: ':memory:' });
    try {
      await store.ensureIndexes('users', [{ name: 'userName', fields: [['userName', 1]], unique: true }]);
      const refused = store.commit(
        [
          { collection: 'notes', id: 'n', doc: { _id: 'n' } },
          { collection: 'users', id: 'a', doc: { _id: 'a', userName: 'x' } },
          { collection: 'users', id: 'b', doc: { _id: 'b', userName: 'x' } },
        ],
        { projection: 'p', position: 1 },
      );
      await expect(refused).rejects.toBeInstanceOf(UniqueIndexViolationError);
      expect(await store.find('notes', {})).toEqual([]);
      await store.commit([{ collection: 'notes', id: 'n', doc: { _id: 'n' } }], { projection: 'p', position: 1 });
      expect(await store.find('notes', {})).toEqual([{ _id: 'n' }]);
    } finally {
      await store.close();
    }
  });

  it('a rejected commit leaves nothing in the file', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.ensureIndexes('users', [{ name: 'userName', fields: [['userName', 1]], unique: true }]);
    await store.commit([{ collection: 'users', id: 'a', doc: { _id: 'a', userName: 'x' } }], { projection: 'users', position: 1 });
    await expect(
      store.commit(
        [
          { collection: 'users', id: 'b', doc: { _id: 'b', userName: 'y' } },
          { collection: 'users', id: 'c', doc: { _id: 'c', userName: 'x' } },
        ],
        { projection: 'users', position: 2 },
      ),
    ).rejects.toBeInstanceOf(UniqueIndexViolationError);
    await store.close();

    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect((await reopened.find('users', {})).map((doc) => doc._id)).toEqual(['a']);
      expect(await reopened.checkpoint('users')).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  it('refuses calls after close', async () => {
    const store = EmbeddedReadStore.open({ file: ':memory:' });
    await store.close();
    await expect(store.get('users', 'a')).rejects.toThrow(/closed/);
    await store.close();
  });
});

describe('EmbeddedReadStore WAL checkpoints', () => {
  let directory: string;
  let file: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'read-store-wal-'));
    file = join(directory, 'read-models.sqlite');
  });

  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(directory, { recursive: true, force: true });
  });

  /** `count` documents of about `bytes` each, committed 20 at a time as the projection runner would. */
  async function commitDocuments(store: EmbeddedReadStore, count: number, bytes: number): Promise<void> {
    for (let first = 0; first < count; first += 20) {
      const ids = Array.from({ length: Math.min(20, count - first) }, (_, at) => `u${first + at}`);
      const changes = ids.map((id) => ({ collection: 'users', id, doc: { _id: id, accountId: 'a', body: 'x'.repeat(bytes) } }));
      await store.commit(changes, { projection: 'users', position: first + ids.length });
    }
  }

  it('copies the live file back on the checkpointer thread, and the main connection closes last (the WAL is deleted)', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.ensureIndexes('users', [{ name: 'account', fields: [['accountId', 1]] }]);
    const sizeBefore = statSync(file).size;
    await commitDocuments(store, 2 * DOCUMENTS_PER_CHECKPOINT, 100);
    await waitFor(() => store.walStats.checkpoints > 0, 'a checkpoint by the thread');

    // Far below the backstop auto-checkpoint's pages: only the thread can have grown the file.
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
    expect(store.walStats.lastError).toBeUndefined();
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect(await reopened.count('users', { accountId: 'a' })).toBe(2 * DOCUMENTS_PER_CHECKPOINT);
      expect(await reopened.checkpoint('users')).toBe(2 * DOCUMENTS_PER_CHECKPOINT);
    } finally {
      await reopened.close();
    }
  });

  it('without its thread (it failed), the WAL is still copied back by the backstop auto-checkpoint and stays bounded', async () => {
    jest.spyOn(sqliteThread, 'startSqliteThread').mockImplementation(() => new Worker('throw new Error("no thread here")', { eval: true }));
    const store = EmbeddedReadStore.open({ file });
    try {
      await commitDocuments(store, DOCUMENTS_PER_CHECKPOINT, 100);
      await waitFor(() => store.walStats.lastError !== undefined, 'the failure of the thread');
      expect(store.walStats).toEqual({ checkpoints: 0, lastError: expect.stringMatching(/no thread here/) });

      // About three backstops' worth of pages (a document a page) after the thread is gone.
      await commitDocuments(store, 3 * BACKSTOP_CHECKPOINT_PAGES, 3_500);
      const frame = 24 + 4096;
      expect(statSync(`${file}-wal`).size).toBeLessThan((BACKSTOP_CHECKPOINT_PAGES + 100) * frame);
      expect(statSync(file).size).toBeGreaterThan(2 * BACKSTOP_CHECKPOINT_PAGES * 4096);
      expect(await store.count('users', {})).toBe(3 * BACKSTOP_CHECKPOINT_PAGES);
    } finally {
      await store.close();
    }
  });

  it('a scratch store and one in memory start no thread', async () => {
    const spy = jest.spyOn(sqliteThread, 'startSqliteThread');
    for (const store of [EmbeddedReadStore.open({ file, scratch: true }), EmbeddedReadStore.open({ file: ':memory:' })]) {
      await commitDocuments(store, 2 * DOCUMENTS_PER_CHECKPOINT, 100);
      expect(store.walStats).toEqual({ checkpoints: 0 });
      await store.close();
    }
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('EmbeddedReadStore planning', () => {
  let store: EmbeddedReadStore;

  beforeEach(async () => {
    store = EmbeddedReadStore.open({ file: ':memory:' });
    await store.ensureIndexes('users', [
      { name: 'account', fields: [['accountId', 1]] },
      { name: 'account_tags', fields: [['accountId', 1], ['tags', 1]] },
    ]);
    const docs = [
      { _id: 'u1', accountId: 'a', tags: ['x', 'y'], n: 3 },
      { _id: 'u2', accountId: 'a', tags: ['y'], n: 1 },
      { _id: 'u3', accountId: 'b', tags: ['x'], n: 2 },
      { _id: 'u4', accountId: 'a', tags: [], n: 2 },
    ];
    await store.commit(docs.map((doc) => ({ collection: 'users', id: doc._id, doc })), { projection: 'users', position: 1 });
  });

  afterEach(() => store.close());

  const ids = (docs: { _id: string }[]) => docs.map((doc) => doc._id);

  it('answers equalities within $and, a field pinned twice to different values matching nothing', async () => {
    expect(ids(await store.find('users', { accountId: 'a', $and: [{ tags: 'y' }, { $and: [{ n: { $eq: 3 } }] }] }))).toEqual(['u1']);
    expect(ids(await store.find('users', { accountId: 'a', $and: [{ tags: 'x' }, { tags: 'y' }] }))).toEqual(['u1']);
    expect(await store.count('users', { $and: [{ accountId: 'a' }, { accountId: 'b' }] })).toBe(0);
    expect(ids(await store.find('users', { $and: [{ accountId: 'a' }, { accountId: 'a' }] }))).toEqual(['u1', 'u2', 'u4']);
  });

  it('reads named ids within pinned fields, in insertion order or sorted, and pages them', async () => {
    expect(ids(await store.find('users', { _id: { $in: ['u4', 'u3', 'u1'] }, accountId: 'a' }))).toEqual(['u1', 'u4']);
    expect(ids(await store.find('users', { _id: { $in: ['u4', 'u3', 'u1', 'u2'] } }, { skip: 1, limit: 2 }))).toEqual(['u2', 'u3']);
    expect(ids(await store.find('users', { _id: { $in: ['u4', 'u3', 'u1'] } }, { sort: [['n', 1]], limit: 2 }))).toEqual(['u3', 'u4']);
    expect(await store.count('users', { _id: { $in: ['u1', 'u3', 'nobody'] }, tags: 'x', accountId: 'b' })).toBe(1);
    expect(await store.find('users', { _id: { $in: [] } })).toEqual([]);
  });

  it('tests pinned fields no index holds, and other conditions, on the documents the keys give', async () => {
    expect(ids(await store.find('users', { accountId: 'a', n: 2 }))).toEqual(['u4']);
    expect(ids(await store.find('users', { accountId: 'a', tags: 'y', n: { $gte: 2 } }))).toEqual(['u1']);
    expect(ids(await store.find('users', { accountId: 'a', $or: [{ n: 1 }, { n: 3 }] }))).toEqual(['u1', 'u2']);
    expect(ids(await store.find('users', { accountId: 'a' }, { sort: [['n', -1]], skip: 1 }))).toEqual(['u4', 'u2']);
  });

  it("reads and stores apart a field whose name holds a quote, which SQL text must not end at", async () => {
    await store.ensureStoredApart('users', ["it's"]);
    await store.commit([{ collection: 'users', id: 'u5', doc: { _id: 'u5', accountId: 'a', "it's": { q: "'" }, "o'k": 1 } }], { projection: 'users', position: 2 });
    expect(await store.find('users', { "it's.q": "'" }, { fields: ["it's", "o'k"] })).toEqual([{ _id: 'u5', "it's": { q: "'" }, "o'k": 1 }]);
  });
});
