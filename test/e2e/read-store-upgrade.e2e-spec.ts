import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, GROUP_SCHEMA, scimClient, startTestApp, USER_SCHEMA, type TestApp } from '../support/test-app';

/**
 * A data folder whose read-model file has the layout of earlier versions (documents by insertion
 * rank, index keys as JSON): the store does not read it, starts empty, and the projections rebuild
 * it from the event log at start-up.
 */
describe('a data folder with a read-model file of the earlier layout (e2e)', () => {
  let testApp: TestApp | undefined;

  afterAll(() => testApp?.close());

  it('starts, rebuilds the read models from the event log and serves the same users and groups', async () => {
    testApp = await startTestApp();
    const account = await testApp.newAccount('Upgraded');
    let scim = scimClient(testApp, account);
    for (const userName of ['ada@example.com', 'grace@example.com', 'alan@example.com']) {
      await scim.post('/Users', { schemas: [USER_SCHEMA], userName, name: { givenName: userName.split('@')[0] }, active: true }).expect(201);
    }
    const users = (await scim.get('/Users').expect(200)).body.Resources as { id: string }[];
    await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineers', members: [{ value: users[0].id }] }).expect(201);
    const before = { users: (await scim.get('/Users').expect(200)).body, groups: (await scim.get('/Groups').expect(200)).body };
    expect(before.users.totalResults).toBe(3);
    const dataDir = testApp.dataDir;
    await testApp.close(false);
    testApp = undefined;

    // The file as the earlier layout left it, with a checkpoint past every event and no documents:
    // were it read, the users would be gone and never come back.
    const file = join(dataDir, 'read-models.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    const old = new Database(file);
    old.exec(`
      CREATE TABLE entries (ord INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL);
      CREATE TABLE document_keys (ord INTEGER PRIMARY KEY, index_keys TEXT NOT NULL);
      CREATE TABLE bodies (ord INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE document_fields (ord INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, json INTEGER NOT NULL, PRIMARY KEY (ord, field));
      CREATE TABLE stored_apart (collection TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY (collection, field));
      CREATE TABLE checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE indexes (collection TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, PRIMARY KEY (collection, name));
      INSERT INTO checkpoints SELECT value, 1000000 FROM json_each('["users","groups","accounts"]');
      PRAGMA user_version = 1;
    `);
    old.close();

    testApp = await startTestApp(dataDir);
    scim = scimClient(testApp, account);
    await eventually(async () => {
      expect((await scim.get('/Users').expect(200)).body).toEqual(before.users);
      expect((await scim.get('/Groups').expect(200)).body).toEqual(before.groups);
    });
    const upgraded = new Database(file, { readonly: true });
    try {
      const tables = upgraded.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain('entries');
      expect(tables).toContain('c:users');
    } finally {
      upgraded.close();
    }
  });
});
