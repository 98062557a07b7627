import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ReadStore } from '@scim/read-models';
import { RETENTION_CANDIDATES, RetentionProcess } from '@scim/provisioning';
import { eventually, expectScimError, OPERATOR_KEY, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

const DAY_MS = 86_400_000;

/** Issue 15 item 4: deprovisioned users are erased after the account's retention period, across restarts. */
describe('Retention of deprovisioned users (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scim-retention-'));
  let testApp: TestApp;
  let acme: ScimAccount;
  let globex: ScimAccount;

  const retention = (account: ScimAccount, body?: object) =>
    body === undefined ? testApp.operator('get', `/admin/accounts/${account.accountId}/retention`) : testApp.operator('put', `/admin/accounts/${account.accountId}/retention`, body);
  const timeline = (account: ScimAccount, userId: string) =>
    request(testApp.app.getHttpServer()).get(`/support/accounts/${account.accountId}/users/${userId}/timeline`).set('Authorization', `Bearer ${OPERATOR_KEY}`).expect(200);
  /** The process has seen the deletions (its reactions are asynchronous). */
  const candidatesAre = (userIds: string[]) =>
    eventually(async () => expect((await testApp.app.get(ReadStore).find(RETENTION_CANDIDATES, {})).map((doc) => doc._id).sort()).toEqual([...userIds].sort()));

  beforeAll(async () => {
    testApp = await startTestApp(dataDir);
    acme = await testApp.newAccount('Acme');
    globex = await testApp.newAccount('Globex');
  });

  afterAll(async () => {
    await testApp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is off by default, set per account, and refuses anything but null or 1 to 3650 days, changing nothing', async () => {
    expect((await retention(acme).expect(200)).body).toEqual({ accountId: acme.accountId, eraseDeprovisionedAfterDays: null });
    for (const body of [{}, { eraseDeprovisionedAfterDays: 0 }, { eraseDeprovisionedAfterDays: 3651 }, { eraseDeprovisionedAfterDays: 1.5 }, { eraseDeprovisionedAfterDays: '30' }]) {
      expectScimError((await retention(acme, body).expect(400)).body, 400);
    }
    expect((await retention(acme).expect(200)).body.eraseDeprovisionedAfterDays).toBeNull();
    expect((await retention(acme, { eraseDeprovisionedAfterDays: 30 }).expect(200)).body).toEqual({ accountId: acme.accountId, eraseDeprovisionedAfterDays: 30 });
    expect((await retention(acme).expect(200)).body.eraseDeprovisionedAfterDays).toBe(30);
    expect((await retention(globex).expect(200)).body.eraseDeprovisionedAfterDays).toBeNull();
    await testApp.operator('get', '/admin/accounts/00000000-0000-4000-8000-000000000000/retention').expect(404);
  });

  it('erases the deprovisioned users of that account once the period has passed, also after a restart, and only those', async () => {
    const create = async (account: ScimAccount, userName: string) =>
      (await scimClient(testApp, account).post('/Users', { schemas: [USER_SCHEMA], userName, name: { givenName: 'Retained' } }).expect(201)).body.id as string;
    const gone = await create(acme, 'gone@acme.example');
    const live = await create(acme, 'live@acme.example');
    const elsewhere = await create(globex, 'gone@globex.example');
    await scimClient(testApp, acme).delete(`/Users/${gone}`).expect(204);
    await scimClient(testApp, globex).delete(`/Users/${elsewhere}`).expect(204);
    await candidatesAre([gone, elsewhere]);

    // Within the period: nothing is due.
    expect(await testApp.app.get(RetentionProcess).sweep(new Date(Date.now() + 29 * DAY_MS))).toBe(0);

    await testApp.close(false);
    testApp = await startTestApp(dataDir);
    await candidatesAre([gone, elsewhere]);
    const process = testApp.app.get(RetentionProcess);
    expect(await process.sweep(new Date(Date.now() + 31 * DAY_MS))).toBe(1);
    await candidatesAre([elsewhere]);
    expect(await process.sweep(new Date(Date.now() + 31 * DAY_MS))).toBe(0);

    const erased = JSON.stringify((await timeline(acme, gone)).body);
    expect(erased).toContain('retention: deprovisioned more than 30 days ago');
    expect(erased).not.toContain('gone@acme.example');
    // Another account keeps its deprovisioned users (no retention there); live users are never touched.
    expect(JSON.stringify((await timeline(globex, elsewhere)).body)).toContain('gone@globex.example');
    await scimClient(testApp, acme).get(`/Users/${live}`).expect(200);
  });
});
