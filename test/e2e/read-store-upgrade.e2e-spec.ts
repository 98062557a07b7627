import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tablesOf, writeEarlierLayoutFile } from '@scim/read-models/testing/earlier-layout';
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
    writeEarlierLayoutFile(file, { users: 1_000_000, groups: 1_000_000, accounts: 1_000_000 });

    testApp = await startTestApp(dataDir);
    scim = scimClient(testApp, account);
    await eventually(async () => {
      expect((await scim.get('/Users').expect(200)).body).toEqual(before.users);
      expect((await scim.get('/Groups').expect(200)).body).toEqual(before.groups);
    });
    const tables = tablesOf(file);
    expect(tables).not.toContain('entries');
    expect(tables).toContain('c:users');
  });
});
