import { eventually, GROUP_SCHEMA, OPERATOR_KEY, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';
import type { PublicEventType } from '@scim/public-events';
import { documentedEventSchemas } from '../support/event-schemas';
import { WebhookReceiver } from '../support/webhook-receiver';
import { TokenExpiryWatch } from '../../apps/scim-api/src/webhooks/token-expiry-watch';

// Short backoffs: an outage of the receiver is caught up within the test, without sleeping a minute.
const WEBHOOK_ENV = { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOKS_RETRY_INITIAL_DELAY_MS: '20', WEBHOOKS_RETRY_MAX_DELAY_MS: '200' };

const schemas = documentedEventSchemas();

interface Subscribed {
  readonly account: ScimAccount;
  readonly scim: ScimClient;
  readonly endpointId: string;
  readonly eventsKey: string;
}

async function subscribe(testApp: TestApp, receiver: WebhookReceiver, name: string): Promise<Subscribed> {
  const account = await testApp.newAccount(name);
  const registered = await testApp.operator('post', `/admin/accounts/${account.accountId}/webhooks`, { url: receiver.url, description: name }).expect(201);
  expect(registered.headers['cache-control']).toBe('no-store');
  expect(registered.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.useSecret(registered.body.secret);
  const key = await testApp.operator('post', `/admin/accounts/${account.accountId}/events-keys`, { label: 'app' }).expect(201);
  return { account, scim: scimClient(testApp, account), endpointId: registered.body.id, eventsKey: key.body.key };
}

/** Every public event of the account, through the events API, paging with its cursor. */
async function allEvents(testApp: TestApp, subscribed: Subscribed): Promise<{ id: string; type: string }[]> {
  const events: { id: string; type: string }[] = [];
  let after = '0';
  for (;;) {
    const page = await testApp
      .http()
      .get(`/api/v1/accounts/${subscribed.account.accountId}/events?after=${after}&limit=7`)
      .set('Authorization', `Bearer ${subscribed.eventsKey}`)
      .expect(200);
    events.push(...page.body.events);
    after = page.body.nextCursor;
    if (!page.body.hasMore) return events;
  }
}

/** Every event of the log arrived, first arrivals in the log's order, each verified, each under its own id. */
async function expectAllDelivered(testApp: TestApp, subscribed: Subscribed, receiver: WebhookReceiver): Promise<string[]> {
  const expected = (await allEvents(testApp, subscribed)).map((e) => e.id);
  await eventually(() => expect(receiver.firstArrivals()).toEqual(expected));
  expect(receiver.messages.every((m) => m.verified && m.webhookId === m.event.id)).toBe(true);
  for (const { event } of receiver.messages) {
    const validate = schemas.get(event.type as PublicEventType)!;
    expect(validate(event) ? [] : validate.errors).toEqual([]);
  }
  return expected;
}

const oktaUser = (userName: string) => ({
  schemas: [USER_SCHEMA],
  userName,
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: userName, type: 'work' }],
  externalId: `okta-${userName}`,
  groups: [],
  password: 'x',
  active: true,
});

describe('webhooks and the events API (e2e)', () => {
  let testApp: TestApp;
  const receiver = new WebhookReceiver(9241);

  beforeAll(async () => {
    testApp = await startTestApp(undefined, { env: WEBHOOK_ENV });
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await testApp.close();
  });
  beforeEach(() => {
    receiver.messages.length = 0;
    receiver.failWith = undefined;
  });

  it('delivers every change of an Okta script, in order, signed per Standard Webhooks', async () => {
    const okta = await subscribe(testApp, receiver, 'Okta customer');
    const created = await okta.scim.post('/Users', oktaUser('ada@okta.test'), 'application/json').expect(201);
    const userId = created.body.id;
    const current = await okta.scim.get(`/Users/${userId}`).expect(200);
    await okta.scim.put(`/Users/${userId}`, { ...current.body, name: { givenName: 'Ada', familyName: 'User' } }).expect(200);
    const group = await okta.scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [] }).expect(201);
    await okta.scim
      .patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId, display: 'ada@okta.test' }] }] })
      .expect(204);
    await okta.scim.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.body.id, displayName: 'Eng' } }] }).expect(204);
    await okta.scim.patch(`/Users/${userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }).expect(200);
    await okta.scim.post('/Users', oktaUser('ADA@okta.test')).expect(409);
    await okta.scim.delete(`/Groups/${group.body.id}`).expect(204);

    await expectAllDelivered(testApp, okta, receiver);
    expect([...new Set(receiver.messages.map((m) => m.event.type))]).toEqual([
      'user.created',
      'user.updated',
      'group.created',
      'group.members_added',
      'group.updated',
      'user.deactivated',
      'provisioning.rejected',
      'group.deleted',
    ]);
    const first = receiver.messages[0].event;
    expect(first).toMatchObject({ accountId: okta.account.accountId, data: { user: { id: userId, userName: 'ada@okta.test', active: true } } });
    expect(first.requestId).toBe(created.headers['x-request-id']);
  });

  it('delivers every change of an Entra script, in order, with the effective roles when a mapped group changes', async () => {
    const entra = await subscribe(testApp, receiver, 'Entra customer');
    const admin = (method: 'post' | 'put', path: string, body: object) => testApp.operator(method, `/admin/accounts/${entra.account.accountId}${path}`, body);
    await admin('post', '/roles', { role: 'finance' }).expect(201);
    const user = await entra.scim
      .post('/Users', {
        schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: 'entra-1',
        userName: 'grace@entra.test',
        active: true,
        displayName: 'Grace',
        emails: [{ primary: true, type: 'work', value: 'grace@entra.test' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Finance' },
      })
      .expect(201);
    const group = await entra.scim.post('/Groups', { schemas: [GROUP_SCHEMA], externalId: 'entra-g', displayName: 'Finance', members: [] }).expect(201);
    await admin('put', `/groups/${group.body.id}/roles`, { roles: ['finance'] }).expect(200);
    await entra.scim.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: user.body.id }] }] }).expect(204);
    await entra.scim
      .patch(`/Users/${user.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Grace H.' }, { op: 'Replace', path: 'active', value: 'False' }] })
      .expect(200);
    await entra.scim.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ value: user.body.id }] }] }).expect(204);
    await entra.scim.delete(`/Users/${user.body.id}`).expect(204);

    await expectAllDelivered(testApp, entra, receiver);
    const types = receiver.messages.map((m) => m.event.type);
    expect(types).toEqual(expect.arrayContaining(['user.created', 'group.created', 'group.updated', 'group.members_added', 'user.roles_changed', 'user.updated', 'user.deactivated', 'group.members_removed', 'user.deleted']));
    const granted = receiver.messages.find((m) => m.event.type === 'user.roles_changed')!.event;
    expect(granted.data).toMatchObject({ roles: ['finance'], cause: { kind: 'granted-via-group', role: 'finance', groupId: group.body.id } });
  });

  it('keeps delivering after the receiver was down, then failing: nothing lost, in order, failures in the delivery log', async () => {
    const outage = await subscribe(testApp, receiver, 'Outage customer');
    const log = async () => (await testApp.operator('get', `/admin/accounts/${outage.account.accountId}/webhooks/${outage.endpointId}/deliveries`).expect(200)).body;
    const failures = async (pattern: RegExp) => (await log()).filter((a: { ok: boolean; error?: string }) => !a.ok && pattern.test(a.error ?? '')).length;

    await receiver.stop();
    for (const name of ['a', 'b']) await outage.scim.post('/Users', oktaUser(`${name}@outage.test`)).expect(201);
    await eventually(async () => expect(await failures(/ECONNREFUSED/)).toBeGreaterThanOrEqual(2));
    receiver.failWith = 503;
    await receiver.start();
    await outage.scim.post('/Users', oktaUser('c@outage.test')).expect(201);
    await eventually(async () => expect(await failures(/HTTP 503/)).toBeGreaterThanOrEqual(2));
    expect(receiver.firstArrivals()).toEqual([]);
    receiver.failWith = undefined;
    await outage.scim.post('/Users', oktaUser('d@outage.test')).expect(201);

    const expected = await expectAllDelivered(testApp, outage, receiver);
    expect(expected).toHaveLength(4);
    const attempts = await log();
    expect(attempts.find((a: { status: number | null }) => a.status === 503)).toMatchObject({ ok: false, error: 'HTTP 503', responseBody: 'receiver unavailable', trigger: 'automatic' });
    expect(attempts[0]).toEqual(expect.objectContaining({ ok: true, status: 204, latencyMs: expect.any(Number), attemptedAt: expect.any(String) }));
    // The log keeps ids and outcomes, never the payload (which carries personal data).
    expect(JSON.stringify(attempts)).not.toContain('outage.test');
  });

  it('sends a signed test event and redelivers a past event under the same webhook-id', async () => {
    const manual = await subscribe(testApp, receiver, 'Manual customer');
    await manual.scim.post('/Users', oktaUser('m@manual.test')).expect(201);
    await expectAllDelivered(testApp, manual, receiver);
    const base = `/admin/accounts/${manual.account.accountId}/webhooks/${manual.endpointId}`;
    const test = await testApp.operator('post', `${base}/test`).expect(200);
    expect(test.body).toMatchObject({ ok: true, status: 204, trigger: 'test', eventType: 'webhook.test' });
    expect(receiver.messages.at(-1)).toMatchObject({ verified: true, event: { type: 'webhook.test' } });

    const attempts = (await testApp.operator('get', `${base}/deliveries`).expect(200)).body;
    const delivered = attempts.find((a: { trigger: string }) => a.trigger === 'automatic');
    const again = await testApp.operator('post', `${base}/deliveries/${delivered.id}/redeliver`).expect(200);
    expect(again.body).toMatchObject({ ok: true, eventId: delivered.eventId, trigger: 'manual-redelivery' });
    expect(receiver.messages.at(-1)).toMatchObject({ verified: true, webhookId: delivered.eventId });
    await testApp.operator('post', `${base}/deliveries/nope/redeliver`).expect(404);
  });

  it('rotates the secret: later messages verify with the new one only', async () => {
    const rotating = await subscribe(testApp, receiver, 'Rotating customer');
    const rotated = await testApp.operator('post', `/admin/accounts/${rotating.account.accountId}/webhooks/${rotating.endpointId}/rotate-secret`).expect(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    await rotating.scim.post('/Users', oktaUser('r@rotating.test')).expect(201);
    await eventually(() => expect(receiver.messages.length).toBeGreaterThan(0));
    expect(receiver.messages[0].verified).toBe(false);
    receiver.messages.length = 0;
    receiver.useSecret(rotated.body.secret);
    await testApp.operator('post', `/admin/accounts/${rotating.account.accountId}/webhooks/${rotating.endpointId}/test`).expect(200);
    expect(receiver.messages.at(-1)?.verified).toBe(true);
  });

  it('manages endpoints: list and get without the secret, change the types, disable, delete; bad input is a 400 that changes nothing', async () => {
    const account = await testApp.newAccount('Settings customer');
    const base = `/admin/accounts/${account.accountId}/webhooks`;
    const created = await testApp.operator('post', base, { url: receiver.url, events: ['user.deleted'] }).expect(201);
    const id = created.body.id;
    expect((await testApp.operator('get', base).expect(200)).body).toEqual([expect.objectContaining({ id, url: receiver.url, events: ['user.deleted'], enabled: true })]);
    expect(JSON.stringify((await testApp.operator('get', `${base}/${id}`).expect(200)).body)).not.toContain('whsec_');

    for (const body of [{ url: 'ftp://x.test/' }, { url: 'not a url' }, { url: receiver.url, events: ['dsync.user.created'] }, { url: receiver.url, events: 'user.created' }, {}]) {
      const refused = await testApp.operator('post', base, body).expect(400);
      expect(refused.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400' });
    }
    await testApp.operator('patch', `${base}/${id}`, { events: ['nope'] }).expect(400);
    expect((await testApp.operator('get', base).expect(200)).body).toHaveLength(1);

    expect((await testApp.operator('patch', `${base}/${id}`, { events: null, enabled: false }).expect(200)).body).toMatchObject({ events: null, enabled: false, disabledReason: 'by-administrator' });
    await testApp.operator('delete', `${base}/${id}`).expect(204);
    await testApp.operator('get', `${base}/${id}`).expect(404);
    const openApi = (await testApp.http().get('/admin/docs-json').expect(200)).body;
    expect(Object.keys(openApi.paths)).toEqual(expect.arrayContaining(['/admin/accounts/{accountId}/webhooks', '/admin/accounts/{accountId}/events-keys', '/api/v1/accounts/{accountId}/events']));
    await testApp.operator('delete', `${base}/${id}`).expect(404);
  });

  it('announces a SCIM token about to expire once, as scim.token_expiring', async () => {
    const expiring = await subscribe(testApp, receiver, 'Expiring token customer');
    const token = await testApp.operator('post', `/admin/accounts/${expiring.account.accountId}/scim/tokens`, { validForDays: 7, label: 'Okta' }).expect(201);
    const watch = testApp.app.get(TokenExpiryWatch);
    await watch.check();
    await watch.check();
    const announced = (await allEvents(testApp, expiring)).filter((e) => e.type === 'scim.token_expiring');
    expect(announced).toEqual([expect.objectContaining({ data: { tokenId: token.body.tokenId, label: 'Okta', expiresAt: token.body.expiresAt } })]);
    await expectAllDelivered(testApp, expiring, receiver);
  });

  it('the events API pages the whole history with an account-scoped key; other keys are refused', async () => {
    const one = await subscribe(testApp, receiver, 'Events one');
    const other = await subscribe(testApp, receiver, 'Events two');
    for (const name of ['x', 'y', 'z']) await one.scim.post('/Users', oktaUser(`${name}@events.test`)).expect(201);
    const events = await allEvents(testApp, one);
    expect(events.map((e) => e.type)).toEqual(['user.created', 'user.created', 'user.created']);

    const path = `/api/v1/accounts/${one.account.accountId}/events`;
    await testApp.http().get(path).set('Authorization', `Bearer ${other.eventsKey}`).expect(403);
    await testApp.http().get(path).expect(401);
    await testApp.http().get(path).set('Authorization', `Bearer ${one.account.token}`).expect(401);
    const typed = await testApp.http().get(`${path}?types=user.deleted`).set('Authorization', `Bearer ${one.eventsKey}`).expect(200);
    expect(typed.body).toMatchObject({ events: [], hasMore: false });
    for (const query of ['types=user.exploded', 'limit=0', 'limit=abc', 'after=-1', 'after=x']) {
      const refused = await testApp.http().get(`${path}?${query}`).set('Authorization', `Bearer ${one.eventsKey}`).expect(400);
      expect(refused.body.status).toBe('400');
    }

    const keys = `/admin/accounts/${one.account.accountId}/events-keys`;
    const [listed] = (await testApp.operator('get', keys).expect(200)).body;
    expect(listed).toEqual(expect.objectContaining({ label: 'app', status: 'active' }));
    expect(JSON.stringify(listed)).not.toContain(one.eventsKey.split('.')[2]);
    await testApp.operator('delete', `${keys}/${listed.keyId}`).expect(204);
    await testApp.http().get(path).set('Authorization', `Bearer ${one.eventsKey}`).expect(403);
  });
});

describe('webhook targets on private addresses (e2e)', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('are refused unless WEBHOOKS_ALLOW_PRIVATE_TARGETS=true, and nothing is recorded', async () => {
    const account = await testApp.newAccount('Private');
    const base = `/admin/accounts/${account.accountId}/webhooks`;
    for (const url of ['http://127.0.0.1:9242/hooks', 'http://localhost:9242/', 'http://169.254.169.254/latest/meta-data', 'http://10.1.2.3/', 'http://[::1]:9242/', 'http://[::ffff:192.168.0.1]/']) {
      const refused = await testApp.operator('post', base, { url }).expect(400);
      expect(refused.body.detail).toMatch(/private, loopback or link-local/);
    }
    expect((await testApp.operator('get', base).expect(200)).body).toEqual([]);
  });
});

describe('webhooks across a restart of the service (e2e)', () => {
  const receiver = new WebhookReceiver(9243);
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('loses nothing when the service stops mid-delivery; a redelivered event carries the same webhook-id', async () => {
    let testApp = await startTestApp(undefined, { env: WEBHOOK_ENV });
    const restarting = await subscribe(testApp, receiver, 'Restart customer');
    // The third message is received but never answered: the service is closed while waiting for it.
    receiver.holdFrom = 2;
    for (const name of ['a', 'b', 'c', 'd', 'e']) await restarting.scim.post('/Users', oktaUser(`${name}@restart.test`)).expect(201);
    await eventually(() => expect(receiver.messages.length).toBe(3));
    const cutOff = receiver.messages[2].event.id;
    await testApp.close(false);
    receiver.release();

    testApp = await startTestApp(testApp.dataDir, { env: WEBHOOK_ENV });
    try {
      const expected = await expectAllDelivered(testApp, restarting, receiver);
      expect(expected).toHaveLength(5);
      expect(receiver.messages.filter((m) => m.webhookId === cutOff).length).toBeGreaterThanOrEqual(2);
    } finally {
      await testApp.close();
    }
  });
});

describe('failing webhook endpoints (e2e)', () => {
  let testApp: TestApp;
  const healthy = new WebhookReceiver(9244);
  const failing = new WebhookReceiver(9245);

  beforeAll(async () => {
    // A retry window of a few hundred milliseconds stands in for 24 hours.
    testApp = await startTestApp(undefined, { env: { ...WEBHOOK_ENV, WEBHOOKS_RETRY_WINDOW_MS: '400' } });
    await Promise.all([healthy.start(), failing.start()]);
    failing.failWith = 500;
  });
  afterAll(async () => {
    await Promise.all([healthy.stop(), failing.stop()]);
    await testApp.close();
  });

  it('delay only their own deliveries, are disabled when the window ends (the account history says so), and resume from where they stopped', async () => {
    const subscribed = await subscribe(testApp, healthy, 'Two endpoints');
    const base = `/admin/accounts/${subscribed.account.accountId}/webhooks`;
    const broken = await testApp.operator('post', base, { url: failing.url }).expect(201);
    failing.useSecret(broken.body.secret);
    for (const name of ['p', 'q']) await subscribed.scim.post('/Users', oktaUser(`${name}@failing.test`)).expect(201);

    const expected = await expectAllDelivered(testApp, subscribed, healthy);
    await eventually(async () => expect((await testApp.operator('get', `${base}/${broken.body.id}`).expect(200)).body).toMatchObject({ enabled: false, disabledReason: 'deliveries-failing' }));
    const history = await testApp.http().get(`/audit/accounts/${subscribed.account.accountId}/events?type=WebhookEndpointDisabled`).set('Authorization', `Bearer ${OPERATOR_KEY}`).expect(200);
    expect(history.body.events).toEqual([expect.objectContaining({ type: 'WebhookEndpointDisabled', data: expect.objectContaining({ reason: 'deliveries-failing', detail: expect.stringContaining('HTTP 500') }) })]);
    expect(failing.messages).toEqual([]);

    failing.failWith = undefined;
    await testApp.operator('patch', `${base}/${broken.body.id}`, { enabled: true }).expect(200);
    await eventually(() => expect(failing.firstArrivals()).toEqual(expected));
  });
});
