import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('discovery endpoints (RFC 7644 §4, e2e)', () => {
  let testApp: TestApp;
  const base = '/scim/v2/any-account';

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('ServiceProviderConfig tells the truth about what is supported', async () => {
    const res = await request(testApp.app.getHttpServer()).get(`${base}/ServiceProviderConfig`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1048576 },
      filter: { supported: true, maxResults: 1000 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
    });
    expect(res.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('lists the User, Enterprise User and Group schemas and resource types', async () => {
    const schemas = await request(testApp.app.getHttpServer()).get(`${base}/Schemas`).expect(200);
    expect(schemas.body.Resources.map((s: { id: string }) => s.id).sort()).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ]);
    const userSchema = await request(testApp.app.getHttpServer()).get(`${base}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`).expect(200);
    const userName = userSchema.body.attributes.find((a: { name: string }) => a.name === 'userName');
    expect(userName).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });

    const types = await request(testApp.app.getHttpServer()).get(`${base}/ResourceTypes`).expect(200);
    const userType = types.body.Resources.find((t: { id: string }) => t.id === 'User');
    expect(userType).toMatchObject({ endpoint: '/Users', schema: 'urn:ietf:params:scim:schemas:core:2.0:User' });
    expect(userType.schemaExtensions).toEqual([{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }]);
    await request(testApp.app.getHttpServer()).get(`${base}/ResourceTypes/User`).expect(200);
    await request(testApp.app.getHttpServer()).get(`${base}/Schemas/urn:nope`).expect(404);
  });

  it('answers without a credential and with the account\'s token, but refuses a wrong token rather than ignoring it', async () => {
    const account = await testApp.newAccount();
    const server = testApp.app.getHttpServer();
    for (const path of ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes']) {
      await request(server).get(`${account.base}${path}`).expect(200);
      await request(server).get(`${account.base}${path}`).set('Authorization', `Bearer ${account.token}`).expect(200);
      const refused = await request(server).get(`${account.base}${path}`).set('Authorization', 'Bearer scim.nope.wrong').expect(401);
      expect(refused.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    }
    const other = await testApp.newAccount('Other');
    await request(server).get(`${account.base}/Schemas`).set('Authorization', `Bearer ${other.token}`).expect(401);
  });
});

describe('unsupported RFC 7644 endpoints (e2e)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it.each([['get', '/Me']] as const)('%s %s is a 501 with a SCIM error body', async (method, path) => {
    const res = await request(testApp.app.getHttpServer())[method](`/scim/v2/any${path}`).expect(501);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '501' });
  });
});
