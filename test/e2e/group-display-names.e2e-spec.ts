import { randomUUID } from 'node:crypto';
import { currentSchemaVersion, groupNameKey, groupNameStream, groupStream, type GroupCreated } from '@scim/domain';
import { EventStore, newEventId } from '@scim/event-store';
import { FailingAppends, NetworkLikeReads } from '../support/event-store-decorators';
import {
  accountAdmin,
  eventually,
  expectScimError,
  GROUP_SCHEMA,
  PATCH_OP,
  scimClient,
  startTestApp,
  USER_SCHEMA,
  type ScimAccount,
  type ScimClient,
  type TestApp,
} from '../support/test-app';

/** Entra requires group display names to be unique and expects 409 uniqueness on a duplicate (issue 18). */
describe('unique group displayNames per account (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let failing: FailingAppends;

  beforeAll(async () => {
    // Reads answer on a later turn, as EventStoreDB's do: racing creates interleave for real.
    testApp = await startTestApp(undefined, { eventStore: (store) => new NetworkLikeReads((failing = new FailingAppends(store))) });
    account = await testApp.newAccount();
    scim = scimClient(testApp, account);
  });
  afterAll(() => testApp.close());

  const create = (displayName: string, client = scim) => client.post('/Groups', { schemas: [GROUP_SCHEMA], displayName });
  const rename = (groupId: string, displayName: string) =>
    scim.patch(`/Groups/${groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: displayName }] });
  const named = async (displayName: string, client = scim) =>
    (await client.get(`/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}&excludedAttributes=members`).expect(200)).body.totalResults as number;
  const reservation = async (displayName: string) =>
    (await testApp.app.get(EventStore).readStream(groupNameStream(account.accountId, groupNameKey(displayName)))).map((e) => [e.type, e.data.reason]);

  it('refuses a second POST of a name with 409 uniqueness, also when it differs only in case', async () => {
    await create('Engineering').expect(201);
    expectScimError((await create('Engineering').expect(409)).body, 409, 'uniqueness');
    expectScimError((await create('ENGINEERING').expect(409)).body, 409, 'uniqueness');
    expect(await named('engineering')).toBe(1);
  });

  it('refuses a PUT or PATCH rename onto another group\'s name, changing nothing', async () => {
    const { id: userId } = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'member@example.com' }).expect(201)).body;
    await create('Finance').expect(201);
    const sales = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Sales', members: [{ value: userId }] }).expect(201)).body;
    const before = await scim.get(`/Groups/${sales.id}`).expect(200);

    expectScimError((await rename(sales.id, 'finance').expect(409)).body, 409, 'uniqueness');
    const put = await scim.put(`/Groups/${sales.id}`, { schemas: [GROUP_SCHEMA], displayName: 'FINANCE', members: [] }).expect(409);
    expectScimError(put.body, 409, 'uniqueness');

    const after = await scim.get(`/Groups/${sales.id}`).expect(200);
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(after.body).toEqual(before.body);
    expect(await reservation('Finance')).toEqual([['GroupNameReserved', undefined]]);
  });

  it('frees the old name on a rename, and lets a group change only the case of its own name', async () => {
    const { id } = (await create('Support').expect(201)).body;
    await rename(id, 'Customer Support').expect(204);
    await create('Support').expect(201);
    expectScimError((await create('customer support').expect(409)).body, 409, 'uniqueness');

    await rename(id, 'CUSTOMER support').expect(204);
    expect((await scim.get(`/Groups/${id}`).expect(200)).body.displayName).toBe('CUSTOMER support');
    const put = await scim.put(`/Groups/${id}`, { schemas: [GROUP_SCHEMA], displayName: 'Customer Support' }).expect(200);
    expect(put.body.displayName).toBe('Customer Support');
  });

  it('frees the name on delete', async () => {
    const { id } = (await create('Temporary').expect(201)).body;
    await scim.delete(`/Groups/${id}`).expect(204);
    await create('temporary').expect(201);
    expect(await reservation('Temporary')).toEqual([
      ['GroupNameReserved', undefined],
      ['GroupNameReleased', 'deleted'],
      ['GroupNameReserved', undefined],
    ]);
  });

  it('two concurrent creates of one name: exactly one 201 and one 409, every time', async () => {
    for (let round = 0; round < 10; round++) {
      const responses = await Promise.all([create(`Race ${round}`), create(`RACE ${round}`)]);
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
      expectScimError(responses.find((r) => r.status === 409)!.body, 409, 'uniqueness');
      expect(await named(`race ${round}`)).toBe(1);
    }
  });

  it('twenty concurrent creates and renames onto one name: one group holds it', async () => {
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => create(`Contender ${i}`).expect(201)));
    const responses = await Promise.all([
      ...Array.from({ length: 10 }, () => create('Crowded')),
      ...others.map((created) => rename(created.body.id, 'crowded')),
    ]);
    expect(responses.filter((r) => r.status === 201 || r.status === 204)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await named('Crowded')).toBe(1);
  });

  it('allows the same name in another account', async () => {
    const other = scimClient(testApp, await testApp.newAccount('Other'));
    await create('Engineering', other).expect(201);
    expect(await named('Engineering', other)).toBe(1);
    expect(await named('Engineering')).toBe(1);
  });

  it('keeps Platform groups out of the SCIM namespace: an IdP group may share the name of a default group', async () => {
    const admin = accountAdmin(testApp, account);
    await admin('post', '/groups', { displayName: 'Administrators' }).expect(201);
    await create('Administrators').expect(201);
    expectScimError((await create('administrators').expect(409)).body, 409, 'uniqueness');
  });

  it('frees the name of a create that failed after reserving it, so the IdP\'s retry succeeds', async () => {
    failing.shouldFail = (streamId, events) => streamId.startsWith('group-') && events.some((e) => e.type === 'GroupCreated');
    try {
      const failed = await create('Flaky');
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      failing.shouldFail = () => false;
    }
    expect(await named('Flaky')).toBe(0);
    await create('Flaky').expect(201);
    expect(await reservation('Flaky')).toEqual([
      ['GroupNameReserved', undefined],
      ['GroupNameReleased', 'abandoned'],
      ['GroupNameReserved', undefined],
    ]);
  });

  it('frees the new name of a rename that failed after reserving it, and keeps the old one', async () => {
    const { id } = (await create('Before').expect(201)).body;
    failing.shouldFail = (streamId, events) => streamId === groupStream(id) && events.some((e) => e.type === 'GroupRenamed');
    try {
      expect((await rename(id, 'After')).status).toBeGreaterThanOrEqual(500);
    } finally {
      failing.shouldFail = () => false;
    }
    expect((await scim.get(`/Groups/${id}`).expect(200)).body.displayName).toBe('Before');
    expect(await reservation('After')).toEqual([
      ['GroupNameReserved', undefined],
      ['GroupNameReleased', 'abandoned'],
    ]);
    expectScimError((await create('before').expect(409)).body, 409, 'uniqueness');
    await create('After').expect(201);
  });

  describe('groups created before names were reserved', () => {
    const legacyGroup = async (displayName: string): Promise<string> => {
      const groupId = randomUUID();
      const event: GroupCreated = {
        type: 'GroupCreated',
        data: { groupId, accountId: account.accountId, displayName, source: 'SCIM', createdAt: new Date().toISOString() },
      };
      const metadata = { accountId: account.accountId, actor: { kind: 'system', process: 'earlier-version' }, occurredAt: new Date().toISOString(), schemaVersion: currentSchemaVersion(event.type) };
      await testApp.app.get(EventStore).append(groupStream(groupId), [{ id: newEventId(), type: event.type, data: { ...event.data }, metadata }], 'no_stream');
      return groupId;
    };

    it('read fine with a duplicate name, keep the name from new creates, and free it once none holds it', async () => {
      const [first, second] = [await legacyGroup('Legacy'), await legacyGroup('legacy')];
      await eventually(async () => expect(await named('LEGACY')).toBe(2));
      await scim.get(`/Groups/${first}`).expect(200);
      await scim.get(`/Groups/${second}`).expect(200);

      expectScimError((await create('Legacy').expect(409)).body, 409, 'uniqueness');
      await rename(first, 'Legacy renamed').expect(204);
      expectScimError((await create('Legacy').expect(409)).body, 409, 'uniqueness');
      expectScimError((await rename(first, 'LEGACY').expect(409)).body, 409, 'uniqueness');

      await scim.delete(`/Groups/${second}`).expect(204);
      await create('Legacy').expect(201);
    });

    it('a legacy group keeps its own name on a PUT', async () => {
      const groupId = await legacyGroup('Old timers');
      await eventually(async () => expect(await named('Old timers')).toBe(1));
      await scim.put(`/Groups/${groupId}`, { schemas: [GROUP_SCHEMA], displayName: 'Old timers', externalId: 'ot' }).expect(200);
      expectScimError((await create('old timers').expect(409)).body, 409, 'uniqueness');
    });
  });
});
