import { randomUUID } from 'node:crypto';
import { ENTERPRISE_USER, expectScimError, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimClient, type TestApp } from '../support/test-app';

/** Microsoft Entra ID's provisioning sequence and quirks (shared/IDP-NOTES.md). */
describe('Microsoft Entra ID provisioning sequence (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    scim = scimClient(testApp, await testApp.newAccount('Entra customer'));
  });
  afterAll(() => testApp.close());

  const externalId = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';
  const userName = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
  const workEmail = 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com';
  let userId: string;
  let managerId: string;

  it('Test Connection: a filter on a random GUID is a 200 with an empty list, also with + for spaces', async () => {
    const guid = randomUUID();
    const res = await scim.get(`/Users?filter=userName+eq+%22${guid}%22`).expect(200);
    expect(res.body).toMatchObject({ totalResults: 0, Resources: [] });
    const byExternalId = await scim.get(`/Users?filter=externalId+eq+%22${guid}%22`).expect(200);
    expect(byExternalId.body.totalResults).toBe(0);
  });

  it('creates a user from a body with nulls, meta.resourceType, roles: [] and the enterprise extension', async () => {
    const manager = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'manager@testuser.com', active: true }).expect(201);
    managerId = manager.body.id;
    const res = await scim
      .post('/Users', {
        schemas: [USER_SCHEMA, ENTERPRISE_USER],
        externalId,
        userName,
        active: true,
        emails: [{ primary: true, type: 'work', value: workEmail }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        title: null,
        preferredLanguage: null,
        roles: [],
        [ENTERPRISE_USER]: { employeeNumber: '1001', department: 'Finance', manager: null },
      })
      .expect(201);
    userId = res.body.id;
    expect(res.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER]);
    expect(res.body.title).toBeUndefined();
    expect(res.body.roles).toBeUndefined();
    expect(res.body[ENTERPRISE_USER]).toEqual({ employeeNumber: '1001', department: 'Finance' });
  });

  it('finds the user by userName, externalId and the work-email uniqueness probe', async () => {
    const byUserName = await scim.get(`/Users?filter=userName+eq+%22${userName.toUpperCase()}%22`).expect(200);
    expect(byUserName.body.Resources.map((r: { id: string }) => r.id)).toEqual([userId]);
    const byExternalId = await scim.get(`/Users?filter=externalId+eq+%22${externalId}%22`).expect(200);
    expect(byExternalId.body.totalResults).toBe(1);
    const probe = encodeURIComponent(`emails[type eq "work"].value eq "${workEmail}"`);
    const byEmail = await scim.get(`/Users?filter=${probe}`).expect(200);
    expect(byEmail.body.Resources.map((r: { id: string }) => r.id)).toEqual([userId]);
  });

  it('applies capitalised PATCH ops with value-filter and sub-attribute paths', async () => {
    const res = await scim
      .patch(`/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@testuser.com' },
          { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
          { op: 'Add', path: 'title', value: 'Accountant' },
        ],
      })
      .expect(200);
    expect(res.body.emails).toEqual([{ primary: true, type: 'work', value: 'updatedEmail@testuser.com' }]);
    expect(res.body.name.familyName).toBe('updatedFamilyName');
    expect(res.body.title).toBe('Accountant');
  });

  it('accepts a path-less Replace with dotted keys and full enterprise URNs', async () => {
    const res = await scim
      .patch(`/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', value: { 'name.givenName': 'Updated', [`${ENTERPRISE_USER}:employeeNumber`]: '2002' } },
        ],
      })
      .expect(200);
    expect(res.body.name.givenName).toBe('Updated');
    expect(res.body[ENTERPRISE_USER].employeeNumber).toBe('2002');
  });

  it('sets the manager from a bare id on the enterprise URN path, and from the [{value}] form', async () => {
    const bare = await scim
      .patch(`/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: `${ENTERPRISE_USER}:manager`, value: managerId }],
      })
      .expect(200);
    expect(bare.body[ENTERPRISE_USER].manager.value).toBe(managerId);

    await scim
      .patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `${ENTERPRISE_USER}:manager` }] })
      .expect(200);
    const listed = await scim
      .patch(`/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'manager', value: [{ $ref: null, value: managerId }] }],
      })
      .expect(200);
    expect(listed.body[ENTERPRISE_USER].manager.value).toBe(managerId);
  });

  it('disables with a string boolean, and the disabled user is still returned by GET and filter', async () => {
    const res = await scim
      .patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })
      .expect(200);
    expect(res.body.active).toBe(false);
    expect((await scim.get(`/Users/${userId}`).expect(200)).body.active).toBe(false);
    const filtered = await scim.get(`/Users?filter=externalId+eq+%22${externalId}%22`).expect(200);
    expect(filtered.body.Resources[0].active).toBe(false);
    const byActive = await scim.get('/Users?filter=active+eq+false').expect(200);
    expect(byActive.body.Resources.map((r: { id: string }) => r.id)).toEqual([userId]);
  });

  it('deletes: 204, then 404 on GET and absent from filters, and the userName can be reused', async () => {
    await scim.delete(`/Users/${userId}`).expect(204);
    expectScimError((await scim.get(`/Users/${userId}`).expect(404)).body, 404);
    expect((await scim.get(`/Users?filter=userName+eq+%22${userName}%22`).expect(200)).body.totalResults).toBe(0);
    expectScimError((await scim.delete(`/Users/${userId}`).expect(404)).body, 404);
    await scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true }).expect(201);
  });
});
