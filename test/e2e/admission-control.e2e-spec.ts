import request from 'supertest';
import { expectScimError, OPERATOR_KEY, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

/**
 * Issue 12, admission control. The windows are an hour long, so every count below is exact
 * whatever the machine's speed: no assertion depends on timing.
 */
describe('admission control (e2e)', () => {
  const statusesOf = (responses: readonly request.Response[]): Map<number, number> => {
    const counts = new Map<number, number>();
    for (const { status } of responses) counts.set(status, (counts.get(status) ?? 0) + 1);
    return counts;
  };

  function expectRateLimited(res: request.Response, variable: string): void {
    expect(res.status).toBe(429);
    expectScimError(res.body, 429);
    expect(res.body.detail).toContain(variable);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  }

  describe('per SCIM token and per account', () => {
    let testApp: TestApp;
    let flooder: ScimAccount;
    let neighbour: ScimAccount;

    beforeAll(async () => {
      testApp = await startTestApp(undefined, { env: { RATE_LIMITS: 'on', RATE_LIMIT_SCIM_TOKEN: '10/h', RATE_LIMIT_SCIM_ACCOUNT: '15/h' } });
      flooder = await testApp.newAccount('Flooder');
      neighbour = await testApp.newAccount('Neighbour');
    });
    afterAll(() => testApp.close());

    it("answers a token's flood with 429 and Retry-After while another account is served throughout", async () => {
      const flood = scimClient(testApp, flooder);
      const served = scimClient(testApp, neighbour);
      // The neighbour's requests are interleaved with the flood, all in flight at once.
      const floodRequests = Array.from({ length: 40 }, (_, i) => flood.get(`/Users?filter=${encodeURIComponent(`userName eq "${i}"`)}`));
      const neighbourRequests = Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? served.get('/Users') : served.post('/Users', { schemas: [USER_SCHEMA], userName: `n${i}@neighbour.test` }),
      );
      const [flooded, neighbours] = await Promise.all([Promise.all(floodRequests), Promise.all(neighbourRequests)]);

      expect(statusesOf(flooded)).toEqual(new Map([[200, 10], [429, 30]]));
      expectRateLimited(flooded.find((res) => res.status === 429)!, 'RATE_LIMIT_SCIM_TOKEN');
      expect(neighbours.map((res) => res.status)).toEqual([200, 201, 200, 201, 200, 201, 200, 201]);
    });

    it('limits the account as a whole, across its tokens', async () => {
      const issued = await testApp.operator('post', `/admin/accounts/${flooder.accountId}/scim/tokens`, { validForDays: 1 }).expect(201);
      const secondToken = scimClient(testApp, { ...flooder, token: issued.body.token });
      // The account spent 10 of its 15 with the first token.
      const responses = await Promise.all(Array.from({ length: 8 }, () => secondToken.get('/Users')));
      expect(statusesOf(responses)).toEqual(new Map([[200, 5], [429, 3]]));
      expectRateLimited(responses.find((res) => res.status === 429)!, 'RATE_LIMIT_SCIM_ACCOUNT');
    });

    it('refuses a rate-limited write before reading its body, and records nothing', async () => {
      const res = await scimClient(testApp, flooder).post('/Users', { schemas: [USER_SCHEMA], userName: 'late@flooder.test' });
      expectRateLimited(res, 'RATE_LIMIT_SCIM_TOKEN');
      const activity = await testApp.operator('get', `/support/accounts/${flooder.accountId}/activity`).expect(200);
      expect(JSON.stringify(activity.body)).not.toContain(res.headers['x-request-id']);
    });
  });

  describe('per admin, audit and support credential', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp(undefined, { env: { RATE_LIMITS: 'on', RATE_LIMIT_CREDENTIAL: '5/h' } });
    });
    afterAll(() => testApp.close());

    it('counts every request of one credential, whichever API it calls', async () => {
      const created = await testApp.operator('post', '/admin/accounts', { name: 'Limited' }).expect(201);
      const accountId = created.body.accountId as string;
      await testApp.operator('get', `/admin/accounts/${accountId}`).expect(200);
      await testApp.operator('get', `/audit/accounts/${accountId}/events`).expect(200);
      await testApp.operator('get', `/support/accounts/${accountId}/activity`).expect(200);
      await testApp.operator('get', `/admin/accounts/${accountId}/roles`).expect(200);
      expectRateLimited(await testApp.operator('get', `/admin/accounts/${accountId}`), 'RATE_LIMIT_CREDENTIAL');
    });
  });

  describe('per client address for failed authentications', () => {
    let testApp: TestApp;
    let account: ScimAccount;

    beforeAll(async () => {
      testApp = await startTestApp(undefined, { env: { RATE_LIMITS: 'on', RATE_LIMIT_FAILED_AUTH: '10/h' } });
      account = await testApp.newAccount('Guessed');
    });
    afterAll(() => testApp.close());

    it('answers a flood of wrong SCIM tokens and operator keys with 429 once the address spent its budget', async () => {
      const server = testApp.app.getHttpServer();
      const guesses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          i % 2 === 0
            ? request(server).get(`${account.base}/Users`).set('Authorization', `Bearer scim.${account.tokenId}.guess${i}`)
            : request(server).post('/admin/accounts').set('Authorization', `Bearer wrong-operator-key-${i}-0123456789`).send({ name: 'x' }),
        ),
      );
      expect(statusesOf(guesses)).toEqual(new Map([[401, 10], [429, 20]]));
      expectRateLimited(guesses.find((res) => res.status === 429)!, 'RATE_LIMIT_FAILED_AUTH');
    });

    it('refuses the blocked address even a right credential, without checking it', async () => {
      expectRateLimited(await scimClient(testApp, account).get('/Users'), 'RATE_LIMIT_FAILED_AUTH');
      expectRateLimited(await testApp.operator('get', '/admin/accounts/x'), 'RATE_LIMIT_FAILED_AUTH');
    });

    it('never limits requests that need no credential', async () => {
      await request(testApp.app.getHttpServer()).get(`${account.base}/ServiceProviderConfig`).expect(200);
    });
  });

  describe('wrong events API keys', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp(undefined, { env: { RATE_LIMITS: 'on', RATE_LIMIT_FAILED_AUTH: '10/h' } });
    });
    afterAll(() => testApp.close());

    it('count as failed authentications: 403 until the address spent its budget, then 429', async () => {
      const account = await testApp.newAccount('Events guessed');
      const server = testApp.app.getHttpServer();
      const guesses = await Promise.all(
        Array.from({ length: 15 }, (_, i) => request(server).get(`/api/v1/accounts/${account.accountId}/events`).set('Authorization', `Bearer events.guess-${i}.wrong-secret`)),
      );
      expect(statusesOf(guesses)).toEqual(new Map([[403, 10], [429, 5]]));
      expectRateLimited(guesses.find((res) => res.status === 429)!, 'RATE_LIMIT_FAILED_AUTH');
    });
  });

  describe('RATE_LIMITS=off', () => {
    let testApp: TestApp;

    beforeAll(async () => {
      testApp = await startTestApp(undefined, { env: { RATE_LIMITS: 'off', RATE_LIMIT_SCIM_TOKEN: '1/h', RATE_LIMIT_FAILED_AUTH: '1/h' } });
    });
    afterAll(() => testApp.close());

    it('admits everything, wrong credentials answered 401 every time', async () => {
      const account = await testApp.newAccount('Unlimited');
      const responses = await Promise.all(Array.from({ length: 20 }, () => scimClient(testApp, account).get('/Users')));
      expect(statusesOf(responses)).toEqual(new Map([[200, 20]]));
      const wrong = await Promise.all(Array.from({ length: 20 }, () => request(testApp.app.getHttpServer()).get('/admin/accounts/x').set('Authorization', `Bearer ${OPERATOR_KEY}x`)));
      expect(statusesOf(wrong)).toEqual(new Map([[401, 20]]));
    });
  });
});
