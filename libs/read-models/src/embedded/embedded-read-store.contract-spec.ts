import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UniqueIndexViolationError } from '../read-store.port';
import { describeReadStoreContract } from '../testing/read-store.contract';
import { EmbeddedReadStore } from './embedded-read-store';

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

  it('keeps a string stored apart as it is, outside the body, and documents read back with their keys in order after a reopen', async () => {
    const doc = { _id: 'u1', accountId: 'a', repr: '{"id":"u1","name":"Zoë"}', search: { name: 'zoë' }, _position: 3 };
    const store = EmbeddedReadStore.open({ file });
    await store.ensureStoredApart('users', ['repr', 'search']);
    await store.commit([{ collection: 'users', id: 'u1', doc }], { projection: 'users', position: 3 });
    await store.close();

    const raw = new Database(file, { readonly: true });
    try {
      expect(JSON.parse(raw.prepare<[], string>('SELECT body FROM bodies').pluck().get() as string)).toEqual({ ...doc, repr: null, search: null });
      expect(raw.prepare('SELECT field, value, json FROM document_fields ORDER BY field').all()).toEqual([
        { field: 'repr', value: doc.repr, json: 0 },
        { field: 'search', value: JSON.stringify(doc.search), json: 1 },
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

  it('opens a file of the first layout (keyed by collection and id) with its documents, order, indexes and checkpoints', async () => {
    mkdirSync(dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(`
      CREATE TABLE documents (collection TEXT NOT NULL, id TEXT NOT NULL, ord INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE INDEX documents_by_insertion ON documents (collection, ord);
      CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE indexes (collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name));
    `);
    const insert = old.prepare('INSERT INTO documents (collection, id, ord, body) VALUES (?, ?, ?, ?)');
    insert.run('users', 'b', 1, JSON.stringify({ _id: 'b', userName: 'b' }));
    insert.run('groups', 'g', 2, JSON.stringify({ _id: 'g' }));
    insert.run('users', 'a', 3, JSON.stringify({ _id: 'a', userName: 'a' }));
    old.prepare('INSERT INTO checkpoints VALUES (?, ?)').run('users', 9);
    old.prepare('INSERT INTO indexes VALUES (?, ?, ?)').run('users', 'userName', JSON.stringify({ name: 'userName', fields: [['userName', 1]], unique: true }));
    old.close();

    const store = EmbeddedReadStore.open({ file });
    try {
      expect((await store.find('users', {})).map((doc) => doc._id)).toEqual(['b', 'a']);
      expect(await store.get('groups', 'g')).toEqual({ _id: 'g' });
      expect(await store.checkpoint('users')).toBe(9);
      await expect(
        store.commit([{ collection: 'users', id: 'c', doc: { _id: 'c', userName: 'a' } }], { projection: 'users', position: 10 }),
      ).rejects.toBeInstanceOf(UniqueIndexViolationError);
      await store.commit([{ collection: 'users', id: 'c', doc: { _id: 'c', userName: 'c' } }], { projection: 'users', position: 10 });
    } finally {
      await store.close();
    }
    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect((await reopened.find('users', {})).map((doc) => doc._id)).toEqual(['b', 'a', 'c']);
    } finally {
      await reopened.close();
    }
    const migrated = new Database(file, { readonly: true });
    try {
      const tables = migrated.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all();
      expect(tables.map((table) => table.name).sort()).toEqual(['bodies', 'checkpoints', 'document_fields', 'document_keys', 'entries', 'indexes', 'stored_apart']);
      expect(tables.filter((table) => /WITHOUT ROWID/i.test(table.sql))).toEqual([]);
    } finally {
      migrated.close();
    }
  });

  it('reopens a file whose rows carry no index keys (written before they were stored) with working indexes', async () => {
    const store = EmbeddedReadStore.open({ file });
    await store.ensureIndexes('users', [{ name: 'account', fields: [['accountId', 1]] }, { name: 'userName', fields: [['userName', 1]], unique: true }]);
    await store.commit(
      ['a', 'b', 'c'].map((id) => ({ collection: 'users', id, doc: { _id: id, accountId: id === 'b' ? 'acc2' : 'acc1', userName: id } })),
      { projection: 'users', position: 3 },
    );
    await store.close();
    const raw = new Database(file);
    raw.exec('DELETE FROM document_keys; PRAGMA user_version = 0;');
    raw.close();

    const reopened = EmbeddedReadStore.open({ file });
    try {
      expect((await reopened.find('users', { accountId: 'acc1' })).map((doc) => doc._id)).toEqual(['a', 'c']);
      await expect(
        reopened.commit([{ collection: 'users', id: 'd', doc: { _id: 'd', accountId: 'acc1', userName: 'c' } }], { projection: 'users', position: 4 }),
      ).rejects.toBeInstanceOf(UniqueIndexViolationError);
    } finally {
      await reopened.close();
    }
    const check = new Database(file, { readonly: true });
    try {
      expect(check.prepare('SELECT COUNT(*) FROM document_keys').pluck().get()).toBe(3);
    } finally {
      check.close();
    }
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

  it('reads every document right however few it keeps parsed, and never an outdated version', async () => {
    const store = EmbeddedReadStore.open({ file, cachedDocuments: 2 });
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

  it('keeps a document read by id parsed while pages of a list are read through', async () => {
    const store = EmbeddedReadStore.open({ file, cachedDocuments: 2 });
    try {
      await store.ensureIndexes('users', [{ name: 'team', fields: [['team', 1]] }]);
      const ids = Array.from({ length: 6 }, (_, i) => `u${i}`);
      await store.commit(ids.map((id) => ({ collection: 'users', id, doc: { _id: id, team: 't' } })), { projection: 'users', position: 1 });
      const hot = await store.get('users', 'u5');
      expect((await store.find('users', { team: 't' })).map((doc) => doc._id)).toEqual(ids);
      expect((await store.find('users', { team: 't' }, { skip: 2, limit: 3 })).map((doc) => doc._id)).toEqual(['u2', 'u3', 'u4']);
      // The same parsed object: the pages did not push it out of the two kept.
      expect(await store.get('users', 'u5')).toBe(hot);
    } finally {
      await store.close();
    }
  });

  it('opens a file of the second layout (one table by rank, bodies inline) with its documents, order and indexes', async () => {
    mkdirSync(dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(`
      CREATE TABLE documents (ord INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE indexes (collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name));
    `);
    const insert = old.prepare('INSERT INTO documents (ord, collection, id, body) VALUES (?, ?, ?, ?)');
    insert.run(1, 'users', 'b', JSON.stringify({ _id: 'b', team: 't1' }));
    insert.run(2, 'groups', 'g', JSON.stringify({ _id: 'g' }));
    insert.run(4, 'users', 'a', JSON.stringify({ _id: 'a', team: 't1' }));
    old.prepare('INSERT INTO checkpoints VALUES (?, ?)').run('users', 9);
    old.prepare('INSERT INTO indexes VALUES (?, ?, ?)').run('users', 'team', JSON.stringify({ name: 'team', fields: [['team', 1]] }));
    old.close();

    const store = EmbeddedReadStore.open({ file });
    try {
      expect((await store.find('users', { team: 't1' })).map((doc) => doc._id)).toEqual(['b', 'a']);
      expect(await store.get('groups', 'g')).toEqual({ _id: 'g' });
      expect(await store.checkpoint('users')).toBe(9);
      await store.commit([{ collection: 'users', id: 'c', doc: { _id: 'c', team: 't1' } }], { projection: 'users', position: 10 });
      expect((await store.find('users', { team: 't1' })).map((doc) => doc._id)).toEqual(['b', 'a', 'c']);
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

  it('returns frozen documents, so a caller cannot change the store through them', async () => {
    const store = EmbeddedReadStore.open({ file: ':memory:' });
    try {
      await store.commit([{ collection: 'users', id: 'a', doc: { _id: 'a', name: { givenName: 'A' } } }], {
        projection: 'users',
        position: 1,
      });
      const doc = (await store.get<{ _id: string; name: { givenName: string } }>('users', 'a'))!;
      expect(Object.isFrozen(doc) && Object.isFrozen(doc.name)).toBe(true);
      expect(() => {
        doc.name.givenName = 'B';
      }).toThrow(TypeError);
    } finally {
      await store.close();
    }
  });

  it('refuses calls after close', async () => {
    const store = EmbeddedReadStore.open({ file: ':memory:' });
    await store.close();
    await expect(store.get('users', 'a')).rejects.toThrow(/closed/);
    await store.close();
  });
});
