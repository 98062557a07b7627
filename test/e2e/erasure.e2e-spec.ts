import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { cli } from '../support/cli';
import { SqliteEventLogFile } from '@scim/event-store/testing/sqlite-event-log-file';
import { expectScimError, GROUP_SCHEMA, OPERATOR_KEY, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Values no other part of the service could write by chance, searched for as bytes afterwards. */
const erin = {
  userName: 'Zelda.Quixote@erase.example',
  givenName: 'Zeldaqx',
  familyName: 'Quixotemarker',
  email: 'zelda.private@mailbox.example',
  phone: '+41 79 555 01 23',
  street: '17 Vanishing Lane',
  locality: 'Forgetsvillage',
  title: 'Chief Disappearance Officer',
  employeeNumber: 'EMP-ERASE-99321',
};
const keeper = { userName: 'kept.person@erase.example', givenName: 'Keptgiven', email: 'kept.inbox@mailbox.example', phone: '+41 79 555 98 76', street: '5 Remembrance Road' };

const scimUser = (person: { userName: string; givenName: string; email: string; phone: string; street: string }, extra: Record<string, unknown> = {}) => ({
  schemas: [USER_SCHEMA, ENTERPRISE_USER],
  userName: person.userName,
  name: { givenName: person.givenName, ...('familyName' in person ? { familyName: person.familyName } : {}) },
  emails: [{ value: person.email, type: 'work', primary: true }],
  phoneNumbers: [{ value: person.phone, type: 'mobile' }],
  addresses: [{ streetAddress: person.street, ...('locality' in person ? { locality: person.locality } : {}), type: 'home' }],
  ...extra,
});


/** Every file under the folder (WAL and SHM files included) whose bytes contain `value`. */
function filesHolding(folder: string, value: string): string[] {
  const needle = Buffer.from(value, 'utf8');
  const found: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...filesHolding(path, value));
    else if (readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

/** Issue 15's acceptance: erase a person through the admin API, then look for them everywhere. */
describe('Erasure of a person (crypto-shredding, e2e)', () => {
  let testApp: TestApp;
  let dataDir: string;
  let acme: ScimAccount;
  let globex: ScimAccount;
  let erinId: string;
  let keeperId: string;
  let groupId: string;

  const support = (account: ScimAccount, path: string) =>
    request(testApp.app.getHttpServer()).get(`/support/accounts/${account.accountId}${path}`).set('Authorization', `Bearer ${OPERATOR_KEY}`);
  const erase = (account: ScimAccount, userId: string, body: object = { reason: 'GDPR Art. 17 request, ticket 4711' }) =>
    testApp.operator('post', `/admin/accounts/${account.accountId}/users/${userId}/erase`, body);

  beforeAll(async () => {
    testApp = await startTestApp();
    dataDir = testApp.dataDir;
    acme = await testApp.newAccount('Acme');
    globex = await testApp.newAccount('Globex');
    const scim = scimClient(testApp, acme);
    erinId = (await scim.post('/Users', scimUser(erin, { [ENTERPRISE_USER]: { employeeNumber: erin.employeeNumber } })).expect(201)).body.id;
    keeperId = (await scim.post('/Users', scimUser(keeper)).expect(201)).body.id;
    await scim.patch(`/Users/${erinId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: erin.title }] }).expect(200);
    groupId = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: erinId }, { value: keeperId }] }).expect(201)).body.id;
    await testApp.operator('put', `/admin/accounts/${acme.accountId}/groups/${groupId}/roles`, { roles: ['user'] }).expect(200);
  });

  afterAll(async () => {
    await testApp?.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the event log verifiable before the erasure', async () => {
    expect(await cli(dataDir, 'verify')).toMatchObject({ code: 0 });
  });

  it('refuses an erasure without a reason, of an unknown user and of another account’s user, changing nothing', async () => {
    expectScimError((await erase(acme, erinId, {}).expect(400)).body, 400);
    expectScimError((await erase(acme, erinId, { reason: '   ' }).expect(400)).body, 400, 'invalidValue');
    expectScimError((await erase(acme, '00000000-0000-4000-8000-000000000000').expect(404)).body, 404);
    expectScimError((await erase(globex, erinId).expect(404)).body, 404);
    await scimClient(testApp, acme).get(`/Users/${erinId}`).expect(200);
  });

  it('erases the person: 200, gone from SCIM, the history says [erased] where personal values were', async () => {
    const erased = await erase(acme, erinId).expect(200);
    expect(erased.body).toMatchObject({ userId: erinId, status: 'erased', erasedAt: expect.any(String) });
    // Asked again: the same answer, nothing more recorded.
    expect((await erase(acme, erinId).expect(200)).body).toEqual(erased.body);

    await scimClient(testApp, acme).get(`/Users/${erinId}`).expect(404);

    const timeline = await support(acme, `/users/${erinId}/timeline`).expect(200);
    const explain = await support(acme, `/users/${erinId}/explain`).expect(200);
    const asOf = await support(acme, `/users/${erinId}/explain?asOf=${encodeURIComponent(erased.body.erasedAt)}`).expect(200);
    const audit = await request(testApp.app.getHttpServer()).get(`/audit/accounts/${acme.accountId}/users/${erinId}/events`).set('Authorization', `Bearer ${OPERATOR_KEY}`).expect(200);
    for (const answer of [timeline, explain, asOf, audit]) {
      const text = JSON.stringify(answer.body);
      expect(text).toContain('[erased]');
      for (const value of Object.values(erin)) expect(text).not.toContain(value);
    }
    // The pseudonymous trail is intact: the role came via the group, and the erasure says why.
    expect(JSON.stringify(explain.body)).toContain(groupId);
    expect(JSON.stringify(timeline.body)).toContain('GDPR Art. 17 request, ticket 4711');
  });

  it('leaves the other users readable through the API', async () => {
    const kept = await scimClient(testApp, acme).get(`/Users/${keeperId}`).expect(200);
    expect(kept.body).toMatchObject({
      userName: keeper.userName,
      name: { givenName: keeper.givenName },
      emails: [{ value: keeper.email }],
      phoneNumbers: [{ value: keeper.phone }],
      addresses: [{ streetAddress: keeper.street }],
    });
  });

  it('keeps the log verifiable after the erasure, and an edit of an erased event still fails verify', async () => {
    expect(await cli(dataDir, 'verify')).toMatchObject({ code: 0 });

    await testApp.close(false);
    expect(await cli(dataDir, 'verify')).toMatchObject({ code: 0 });
    const log = SqliteEventLogFile.open(join(dataDir, 'events.db'));
    const provisioned = log.rows().find((row) => row.type === 'UserProvisioned' && row.data.userId === erinId);
    const sealed = provisioned?.data.sealed as { box: string };
    const flipped = Buffer.from(sealed.box, 'base64');
    flipped[flipped.length - 1] ^= 0x01;
    const original = provisioned!.data;
    log.setData(provisioned!.position, { ...original, sealed: { ...sealed, box: flipped.toString('base64') } });
    const damaged = await cli(dataDir, 'verify');
    log.setData(provisioned!.position, original);
    log.close();
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toContain('content-changed');
    expect(await cli(dataDir, 'verify')).toMatchObject({ code: 0 });
  });

  it('leaves none of the person’s values in any file of the stopped service, nor in an export', async () => {
    const { userName } = erin;
    // The userName too: its reservation stream is named by an HMAC (docs/PRIVACY.md).
    for (const value of [...Object.values(erin), userName.toLowerCase()]) expect({ value, files: filesHolding(dataDir, value) }).toEqual({ value, files: [] });
    const log = SqliteEventLogFile.open(join(dataDir, 'events.db'));
    const rows = log.rows();
    log.close();
    expect(JSON.stringify(rows.map(({ data, metadata, type }) => ({ data, metadata, type })))).not.toContain(userName.toLowerCase());

    const exported = await cli(dataDir, 'export', '--account', acme.accountId);
    expect(exported.code).toBe(0);
    // The export holds none of her values, stream names included, and the others' are readable.
    const events = exported.stdout;
    for (const value of [...Object.values(erin), userName.toLowerCase()]) expect(events).not.toContain(value);
    expect(events).toContain('[erased]');
    expect(events).toContain(keeper.email);
  });

  it('frees the userName, in any account, also after a restart', async () => {
    testApp = await startTestApp(dataDir);
    globex = { ...globex, token: (await testApp.operator('post', `/admin/accounts/${globex.accountId}/scim/tokens`, { validForDays: 30 }).expect(201)).body.token };
    const again = await scimClient(testApp, globex).post('/Users', { schemas: [USER_SCHEMA], userName: erin.userName }).expect(201);
    expect(again.body.id).not.toBe(erinId);
    await support(acme, `/users/${erinId}/timeline`).expect(200);
  });
});
