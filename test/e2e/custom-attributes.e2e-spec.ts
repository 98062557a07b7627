import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { accountAdmin, expectScimError, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type AccountAdmin, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

// Entra: "urn:ietf:params:scim:schemas:extension:<Name>:2.0:User" (its provisioning docs' placeholder name).
const ENTRA = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
// Okta: the "External namespace" an app's Profile Editor attribute is sent under (Okta's support article example).
const OKTA = 'urn:ietf:params:scim:schemas:custom:Space';

const declare = (admin: AccountAdmin, schemaUrn: string, name: string, more: object = {}) =>
  admin('post', '/custom-attributes', { resourceType: 'User', schemaUrn, name, type: 'string', ...more });

const filtered = async (scim: ScimClient, filter: string) => (await scim.get(`/Users?filter=${encodeURIComponent(filter)}`).expect(200)).body.Resources.map((u: { id: string }) => u.id);


/** Issue 18 item 8: an account's schema extensions, through the admin API and every SCIM route. */
describe('custom attributes (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let admin: AccountAdmin;
  let entraUser: string;
  let oktaUser: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    account = await testApp.newAccount('Contoso');
    scim = scimClient(testApp, account);
    admin = accountAdmin(testApp, account);
  });
  afterAll(() => testApp.close());

  it('refuses an undeclared extension with 400 invalidValue naming its URN, and stores nothing', async () => {
    const res = await scim.post('/Users', { schemas: [USER_SCHEMA, ENTRA], userName: 'early@contoso.test', [ENTRA]: { CostCenterCode: 'CC-1' } }).expect(400);
    expectScimError(res.body, 400, 'invalidValue');
    expect(res.body.detail).toContain(ENTRA);
    expect((await scim.get('/Users').expect(200)).body.totalResults).toBe(0);
  });

  it('declares attributes through the admin API, validated', async () => {
    const created = await declare(admin, ENTRA, 'CostCenterCode', { description: 'From HR' }).expect(201);
    expect(created.body).toMatchObject({ resourceType: 'User', schemaUrn: ENTRA, name: 'CostCenterCode', type: 'string', multiValued: false, caseExact: false, required: false, uniqueness: 'none' });
    await declare(admin, ENTRA, 'HireDate', { type: 'dateTime' }).expect(201);
    await declare(admin, OKTA, 'custom1').expect(201);
    await declare(admin, OKTA, 'badgeNumbers', { type: 'integer', multiValued: true }).expect(201);

    expectScimError((await declare(admin, ENTRA, 'costcentercode').expect(409)).body, 409, 'uniqueness');
    for (const bad of [{ name: '__proto__' }, { name: 'constructor' }, { uniqueness: 'server' }, { type: 'complex' }, { schemaUrn: 'not a urn' }, { multiValued: 'yes' }]) {
      expectScimError((await declare(admin, ENTRA, 'x', bad).expect(400)).body, 400);
    }
    const listed = await admin('get', '/custom-attributes').expect(200);
    expect(listed.body.items.map((a: { name: string }) => a.name)).toEqual(['CostCenterCode', 'HireDate', 'custom1', 'badgeNumbers']);
  });

  it('advertises them in /Schemas and /ResourceTypes to the account\'s clients, not to anonymous ones', async () => {
    const schemas = (await scim.get('/Schemas').expect(200)).body.Resources;
    expect(schemas.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([ENTRA, OKTA]));
    const entra = (await scim.get(`/Schemas/${ENTRA}`).expect(200)).body;
    expect(entra.attributes).toEqual([
      expect.objectContaining({ name: 'CostCenterCode', type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', description: expect.stringContaining('From HR') }),
      expect.objectContaining({ name: 'HireDate', type: 'dateTime' }),
    ]);
    const user = (await scim.get('/ResourceTypes/User').expect(200)).body;
    expect(user.schemaExtensions).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
      { schema: ENTRA, required: false },
      { schema: OKTA, required: false },
    ]);
    const anonymous = await testApp.http().get(`${account.base}/Schemas`).expect(200);
    expect(anonymous.body.Resources.map((s: { id: string }) => s.id)).not.toContain(ENTRA);
  });

  it("Entra: creates a user with the extension, and applies its full-path Replace", async () => {
    const body = {
      schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', ENTRA],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_ab6490ee@contoso.test',
      active: true,
      displayName: null,
      meta: { resourceType: 'User' },
      roles: [],
      [ENTRA]: { CostCenterCode: 'CC-42', HireDate: '2024-03-01T09:00:00+01:00' },
    };
    const created = await scim.post('/Users', body).expect(201);
    entraUser = created.body.id;
    expect(created.body.schemas).toEqual([USER_SCHEMA, ENTRA]);
    expect(created.body[ENTRA]).toEqual({ CostCenterCode: 'CC-42', HireDate: '2024-03-01T08:00:00.000Z' });

    const patched = await scim
      .patch(`/Users/${entraUser}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: `${ENTRA}:CostCenterCode`, value: 'CC-43' }] })
      .expect(200);
    expect(patched.body[ENTRA].CostCenterCode).toBe('CC-43');
    const undeclared = await scim.patch(`/Users/${entraUser}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: `${ENTRA}:Nope`, value: 'x' }] }).expect(400);
    expectScimError(undeclared.body, 400);
  });

  it('Okta: creates, updates by full PUT, and sets values with a path-less replace', async () => {
    const created = await scim
      .post('/Users', {
        schemas: [USER_SCHEMA, OKTA],
        userName: 'isaac.brock@okta.test',
        name: { givenName: 'Isaac', familyName: 'Brock' },
        emails: [{ primary: true, value: 'isaac.brock@okta.test', type: 'work' }],
        displayName: 'Isaac Brock',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
        [OKTA]: { custom1: 'Blue', badgeNumbers: [7, 12] },
      }, 'application/json')
      .expect(201);
    oktaUser = created.body.id;
    expect(created.body[OKTA]).toEqual({ custom1: 'Blue', badgeNumbers: [7, 12] });

    const current = (await scim.get(`/Users/${oktaUser}`).expect(200)).body;
    const replaced = await scim.put(`/Users/${oktaUser}`, { ...current, [OKTA]: { custom1: 'Green', badgeNumbers: [7] } }).expect(200);
    expect(replaced.body[OKTA]).toEqual({ custom1: 'Green', badgeNumbers: [7] });
    const patched = await scim.patch(`/Users/${oktaUser}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [OKTA]: { custom1: 'Red' } } }] }).expect(200);
    expect(patched.body[OKTA]).toEqual({ custom1: 'Red', badgeNumbers: [7] });
    const wrongType = await scim.patch(`/Users/${oktaUser}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [OKTA]: { badgeNumbers: ['seven'] } } }] }).expect(400);
    expectScimError(wrongType.body, 400, 'invalidValue');
  });

  it('filters on full paths (RFC 7644 §3.10), case-insensitively for caseExact=false, and selects attributes', async () => {
    expect(await filtered(scim, `${ENTRA}:CostCenterCode eq "cc-43"`)).toEqual([entraUser]);
    expect(await filtered(scim, `${ENTRA}:HireDate gt "2024-01-01T00:00:00Z"`)).toEqual([entraUser]);
    expect(await filtered(scim, `${OKTA}:badgeNumbers eq 7 and ${OKTA}:custom1 eq "RED"`)).toEqual([oktaUser]);
    expect(await filtered(scim, `${OKTA}:custom1 pr`)).toEqual([oktaUser]);
    expectScimError((await scim.get(`/Users?filter=${encodeURIComponent(`${ENTRA}:Nope eq "x"`)}`).expect(400)).body, 400, 'invalidFilter');

    const selected = await scim.get(`/Users/${entraUser}?attributes=${encodeURIComponent(`${ENTRA}:CostCenterCode`)}`).expect(200);
    expect(selected.body).toEqual({ schemas: [USER_SCHEMA, ENTRA], id: entraUser, [ENTRA]: { CostCenterCode: 'CC-43' } });
    const excluded = await scim.get(`/Users?excludedAttributes=${encodeURIComponent(OKTA)}&filter=${encodeURIComponent('userName eq "isaac.brock@okta.test"')}`).expect(200);
    expect(excluded.body.Resources[0][OKTA]).toBeUndefined();
    const lower = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'third@contoso.test', [ENTRA]: { CostCenterCode: 'cc-10' } }).expect(201)).body.id;
    const sorted = async (order: string) =>
      (await scim.get(`/Users?filter=${encodeURIComponent(`${ENTRA}:CostCenterCode pr`)}&sortBy=${encodeURIComponent(`${ENTRA}:CostCenterCode`)}&sortOrder=${order}`).expect(200)).body.Resources.map((u: { id: string }) => u.id);
    expect(await sorted('ascending')).toEqual([lower, entraUser]);
    expect(await sorted('descending')).toEqual([entraUser, lower]);
    await scim.delete(`/Users/${lower}`).expect(204);
  });

  it('keeps another account out: its clients cannot send, filter or see these extensions', async () => {
    const other = scimClient(testApp, await testApp.newAccount('Other'));
    expectScimError((await other.post('/Users', { schemas: [USER_SCHEMA], userName: 'x@other.test', [OKTA]: { custom1: 'x' } }).expect(400)).body, 400, 'invalidValue');
    expectScimError((await other.get(`/Users?filter=${encodeURIComponent(`${OKTA}:custom1 pr`)}`).expect(400)).body, 400, 'invalidFilter');
    expect((await other.get('/Schemas').expect(200)).body.Resources.map((s: { id: string }) => s.id)).not.toContain(OKTA);
  });

  it('accepts an undeclared extension with a recorded note while the account migrates, and refuses it again after', async () => {
    const migrating = await testApp.newAccount('Migrating');
    const client = scimClient(testApp, migrating);
    const setPolicy = (policy: string) => accountAdmin(testApp, migrating)('put', '/undeclared-extensions', { policy });
    expect((await setPolicy('note').expect(200)).body).toEqual({ policy: 'note' });
    expectScimError((await setPolicy('drop').expect(400)).body, 400);

    const created = await client.post('/Users', { schemas: [USER_SCHEMA, ENTRA], userName: 'moving@contoso.test', [ENTRA]: { CostCenterCode: 'CC-1' } }).expect(201);
    expect(created.body).not.toHaveProperty(ENTRA);
    const history = await testApp.operator('get', `/audit/accounts/${migrating.accountId}/users/${created.body.id}/events`).expect(200);
    expect(JSON.stringify(history.body.events[0].normalizations)).toContain(`undeclared-extension-ignored:${ENTRA}`);

    await setPolicy('refuse').expect(200);
    expectScimError((await client.post('/Users', { schemas: [USER_SCHEMA], userName: 'later@contoso.test', [ENTRA]: { CostCenterCode: 'CC-1' } }).expect(400)).body, 400, 'invalidValue');
  });

  it("shows them in the console's user detail", async () => {
    const detail = await admin('get', `/users/${oktaUser}`).expect(200);
    expect(detail.body.customAttributes).toEqual([
      { schema: OKTA, name: 'custom1', value: 'Red' },
      { schema: OKTA, name: 'badgeNumbers', value: [7] },
    ]);
  });

  it('survives a rebuild of the read models: the same documents, and filters still match', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'scim-custom-'));
    try {
      cpSync(testApp.dataDir, copy, { recursive: true });
      const rebuilt = await cli(copy, 'rebuild');
      expect(rebuilt.stdout).toMatch(/^EQUAL/);
      expect(rebuilt.code).toBe(0);
      // A service started on the log alone projects the read models anew.
      rmSync(join(copy, 'read-models.db'), { force: true });
      const again = await startTestApp(copy);
      try {
        const client = scimClient(again, account);
        expect(await filtered(client, `${ENTRA}:CostCenterCode eq "CC-43"`)).toEqual([entraUser]);
        expect((await client.get(`/Users/${oktaUser}`).expect(200)).body[OKTA]).toEqual({ custom1: 'Red', badgeNumbers: [7] });
      } finally {
        await again.close(false);
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
