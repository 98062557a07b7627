import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { GROUP_SCHEMA, OPERATOR_KEY, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

interface AuditEventBody {
  position: number;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  recordedAt: string;
  occurredAt: string | null;
  actor: Record<string, unknown> | null;
  correlationId: string | null;
  causationId: string | null;
  hash: string | null;
}

interface AuditPage {
  accountId: string;
  events: AuditEventBody[];
  nextCursor: number | null;
}

const user = (userName: string) => ({ schemas: [USER_SCHEMA], userName });

/** The audit API (issue 6, deliverable 1): read-only, account-scoped histories from the event log. */
describe('Audit API (e2e)', () => {
  let testApp: TestApp;
  let acme: ScimAccount;
  let globex: ScimAccount;
  let auditorKey: string;
  const users: Record<string, string> = {};
  let aliceCreatedBy = '';
  let engineeringId = '';

  const audit = (path: string, key: string = auditorKey) => request(testApp.app.getHttpServer()).get(path).set('Authorization', `Bearer ${key}`);
  const history = async (accountId: string, query = ''): Promise<AuditPage> =>
    (await audit(`/audit/accounts/${accountId}/events?limit=1000${query}`).expect(200)).body as AuditPage;

  beforeAll(async () => {
    testApp = await startTestApp();
    acme = await testApp.newAccount('Acme');
    globex = await testApp.newAccount('Globex');
    // Not configured in the test app: generated into DATA_DIR like the operator key would be.
    auditorKey = readFileSync(join(testApp.dataDir, 'auditor.key'), 'utf8').trim();

    const acmeScim = scimClient(testApp, acme);
    const globexScim = scimClient(testApp, globex);
    const alice = await acmeScim.post('/Users', user('alice@acme.com')).expect(201);
    users.alice = alice.body.id;
    aliceCreatedBy = alice.headers['x-request-id'];
    await acmeScim.patch(`/Users/${users.alice}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Alice A.' }] }).expect(200);
    await acmeScim.patch(`/Users/${users.alice}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
    users.bob = (await acmeScim.post('/Users', user('bob@acme.com')).expect(201)).body.id;
    await acmeScim.delete(`/Users/${users.bob}`).expect(204);
    users.carol = (await globexScim.post('/Users', user('carol@globex.com')).expect(201)).body.id;
    // Globex's IdP pushes a userName Acme holds: refused, and recorded for Globex's audit only.
    await globexScim.post('/Users', user('ALICE@acme.com')).expect(409);
    engineeringId = (await acmeScim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering' }).expect(201)).body.id;
    const members = (op: string) => ({ schemas: [PATCH_OP], Operations: [{ op, path: 'members', value: [{ value: users.alice }] }] });
    await acmeScim.patch(`/Groups/${engineeringId}`, members('add')).expect(204);
    await acmeScim.patch(`/Groups/${engineeringId}`, members('remove')).expect(204);
  });

  afterAll(() => testApp.close());

  describe('credentials', () => {
    it('accepts the auditor key and the operator key', async () => {
      await audit(`/audit/accounts/${acme.accountId}/events`).expect(200);
      await audit(`/audit/accounts/${acme.accountId}/events`, OPERATOR_KEY).expect(200);
    });

    it('refuses no key, a wrong key and a SCIM token with a 401 error body', async () => {
      const server = testApp.app.getHttpServer();
      const none = await request(server).get(`/audit/accounts/${acme.accountId}/events`).expect(401);
      expect(none.body).toMatchObject({ status: '401', detail: expect.stringContaining('auditor key') });
      await audit(`/audit/accounts/${acme.accountId}/events`, `${auditorKey}x`).expect(401);
      await audit(`/audit/accounts/${acme.accountId}/events`, acme.token).expect(401);
    });

    it('is read-only: the auditor key opens no admin route, and /audit has no write route', async () => {
      const server = testApp.app.getHttpServer();
      await request(server).post('/admin/accounts').set('Authorization', `Bearer ${auditorKey}`).send({ name: 'Evil' }).expect(401);
      await request(server).get(`/admin/accounts/${acme.accountId}/scim/tokens`).set('Authorization', `Bearer ${auditorKey}`).expect(401);
      await request(server).post(`/audit/accounts/${acme.accountId}/events`).set('Authorization', `Bearer ${auditorKey}`).send({}).expect(404);
      await request(server).delete(`/audit/accounts/${acme.accountId}/events`).set('Authorization', `Bearer ${auditorKey}`).expect(404);
    });
  });

  describe('account history', () => {
    it("holds every event of the account and no other account's, in commit order", async () => {
      const page = await history(acme.accountId);
      const types = page.events.map((event) => event.type);

      expect(page.nextCursor).toBeNull();
      expect(types).toEqual(
        expect.arrayContaining(['AccountCreated', 'ScimProvisioningEnabled', 'ScimTokenIssued', 'UserProvisioned', 'UserAttributesUpdated', 'UserDeactivated', 'UserDeprovisioned']),
      );
      expect(types.filter((type) => type === 'UserProvisioned')).toHaveLength(2);
      const positions = page.events.map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(positions.length);
      const streams = new Set(page.events.map((event) => event.streamId));
      expect(streams).toContain(`account-${acme.accountId}`);
      expect(streams).toContain(`user-${users.alice}`);
      expect(streams).toContain(`user-${users.bob}`);
      expect(streams).not.toContain(`user-${users.carol}`);
      expect(streams).not.toContain(`account-${globex.accountId}`);
      expect(types).not.toContain('ProvisioningRejected');
    });

    it("records the rejection of another account's userName in the rejecting account's history", async () => {
      const page = await history(globex.accountId, '&type=ProvisioningRejected');

      expect(page.events).toHaveLength(1);
      expect(page.events[0]).toMatchObject({ streamId: `provisioning-${globex.accountId}`, data: { reason: 'username-held-by-another-account' } });
    });

    it('shows for each event who did it, on which request, when, and its chain hash', async () => {
      const page = await history(acme.accountId);
      const created = page.events.find((event) => event.type === 'UserProvisioned' && event.streamId === `user-${users.alice}`);
      const account = page.events.find((event) => event.type === 'AccountCreated');

      expect(created).toMatchObject({
        revision: 0,
        data: expect.objectContaining({ userId: users.alice }),
        actor: { kind: 'scim-token', tokenId: acme.tokenId },
        correlationId: aliceCreatedBy,
        causationId: aliceCreatedBy,
        occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(account?.actor).toEqual({ kind: 'operator' });
      for (const event of page.events) expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('pages with a cursor: the pages together are the whole history, the last says there is no more', async () => {
      const whole = await history(acme.accountId);
      const collected: AuditEventBody[] = [];
      let cursor: number | null = 0;
      let pages = 0;
      while (cursor !== null) {
        const page: AuditPage = (await audit(`/audit/accounts/${acme.accountId}/events?limit=3&cursor=${cursor}`).expect(200)).body;
        expect(page.events.length).toBeLessThanOrEqual(3);
        collected.push(...page.events);
        cursor = page.nextCursor;
        pages++;
      }

      expect(collected).toEqual(whole.events);
      expect(pages).toBe(Math.floor(whole.events.length / 3) + 1);
    });

    it('filters by several types (repeated) and by a time window [from, to)', async () => {
      const whole = await history(acme.accountId);
      const byType = await history(acme.accountId, '&type=UserProvisioned&type=UserDeprovisioned');
      const from = whole.events[3].recordedAt;
      const to = whole.events[whole.events.length - 2].recordedAt;
      const windowed = await history(acme.accountId, `&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);

      expect(byType.events.map((event) => event.type).sort()).toEqual(['UserDeprovisioned', 'UserProvisioned', 'UserProvisioned']);
      const inWindow = whole.events.filter((event) => event.recordedAt >= from && event.recordedAt < to);
      expect(inWindow.length).toBeGreaterThan(0);
      expect(windowed.events).toEqual(inWindow);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=-1', 'cursor'],
      ['from=2025-01-01T10:00:00', 'from'],
      ['from=2025-02-30', 'from'],
      ['from=2025-02-01&to=2025-01-01', 'from'],
      ['type=not%20a%20type', 'type'],
    ])('refuses %s with a 400 naming %s', async (query, name) => {
      const res = await audit(`/audit/accounts/${acme.accountId}/events?${query}`).expect(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining(name) });
    });

    it('answers 404 for an account that does not exist', async () => {
      await audit('/audit/accounts/00000000-0000-4000-8000-000000000000/events').expect(404);
    });
  });

  describe('user history', () => {
    it("is the user's own stream, in revision order", async () => {
      const res = await audit(`/audit/accounts/${acme.accountId}/users/${users.alice}/events`).expect(200);

      expect(res.body).toMatchObject({ accountId: acme.accountId, userId: users.alice, nextCursor: null });
      const events = res.body.events as AuditEventBody[];
      expect(events.map((event) => event.type)).toEqual(['UserProvisioned', 'UserAttributesUpdated', 'UserDeactivated']);
      expect(events.map((event) => event.revision)).toEqual([0, 1, 2]);
      expect(events.every((event) => event.streamId === `user-${users.alice}`)).toBe(true);
    });

    it('keeps the history of a deleted user', async () => {
      const res = await audit(`/audit/accounts/${acme.accountId}/users/${users.bob}/events?type=UserDeprovisioned`).expect(200);
      expect(res.body.events).toHaveLength(1);
    });

    it('pages by cursor and filters like the account history', async () => {
      const first = (await audit(`/audit/accounts/${acme.accountId}/users/${users.alice}/events?limit=2`).expect(200)).body as AuditPage;
      const rest = (await audit(`/audit/accounts/${acme.accountId}/users/${users.alice}/events?limit=2&cursor=${first.nextCursor}`).expect(200)).body as AuditPage;

      expect(first.events.map((event) => event.revision)).toEqual([0, 1]);
      expect(rest).toMatchObject({ nextCursor: null, events: [expect.objectContaining({ revision: 2 })] });
    });

    it("answers 404 for another account's user and for an unknown user", async () => {
      await audit(`/audit/accounts/${acme.accountId}/users/${users.carol}/events`).expect(404);
      await audit(`/audit/accounts/${acme.accountId}/users/00000000-0000-4000-8000-000000000000/events`).expect(404);
    });
  });

  describe('group history', () => {
    it('merges the lifecycle and membership streams in commit order', async () => {
      const page = (await audit(`/audit/accounts/${acme.accountId}/groups/${engineeringId}/events`).expect(200)).body as AuditPage;

      expect(page).toMatchObject({ accountId: acme.accountId, groupId: engineeringId, nextCursor: null });
      expect(page.events.map((event) => event.type)).toEqual(['GroupCreated', 'GroupMembersAdded', 'GroupMembersRemoved']);
      const positions = page.events.map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });

    it('filters by type and pages by cursor', async () => {
      const first = (await audit(`/audit/accounts/${acme.accountId}/groups/${engineeringId}/events?limit=1&type=GroupMembersAdded&type=GroupMembersRemoved`).expect(200)).body as AuditPage;
      const rest = (
        await audit(`/audit/accounts/${acme.accountId}/groups/${engineeringId}/events?limit=1&type=GroupMembersAdded&type=GroupMembersRemoved&cursor=${first.nextCursor}`).expect(200)
      ).body as AuditPage;

      expect(first.events.map((event) => event.type)).toEqual(['GroupMembersAdded']);
      expect(rest.events.map((event) => event.type)).toEqual(['GroupMembersRemoved']);
    });

    it("answers 404 for another account's group and an unknown group", async () => {
      await audit(`/audit/accounts/${globex.accountId}/groups/${engineeringId}/events`).expect(404);
      await audit(`/audit/accounts/${acme.accountId}/groups/00000000-0000-4000-8000-000000000000/events`).expect(404);
    });
  });

  describe('NDJSON export', () => {
    it('streams the whole history, one event per line, equal to the paged history', async () => {
      const whole = await history(acme.accountId);

      const res = await audit(`/audit/accounts/${acme.accountId}/events.ndjson`).buffer(true).parse(textParser).expect(200);

      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(res.headers['content-disposition']).toContain(`account-${acme.accountId}-events.ndjson`);
      // Streamed in chunks: the length was not known up front.
      expect(res.headers['transfer-encoding']).toBe('chunked');
      expect(res.headers['content-length']).toBeUndefined();
      const lines = (res.body as string).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => JSON.parse(line))).toEqual(whole.events);
    });

    it('applies the same filters, and validates them before sending anything', async () => {
      const res = await audit(`/audit/accounts/${acme.accountId}/events.ndjson?type=UserProvisioned`).buffer(true).parse(textParser).expect(200);
      const types = (res.body as string).trim().split('\n').map((line) => JSON.parse(line).type);

      expect(types).toEqual(['UserProvisioned', 'UserProvisioned']);
      await audit(`/audit/accounts/${acme.accountId}/events.ndjson?from=yesterday`).expect(400);
      await audit('/audit/accounts/00000000-0000-4000-8000-000000000000/events.ndjson').expect(404);
    });
  });
});

/** Collects a streamed text body (supertest would otherwise try to parse NDJSON as something else). */
function textParser(res: request.Response, done: (error: Error | null, body: string) => void): void {
  // In Node, superagent hands the parser the IncomingMessage itself.
  const stream = res as unknown as NodeJS.ReadableStream;
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  stream.on('end', () => done(null, body));
}
