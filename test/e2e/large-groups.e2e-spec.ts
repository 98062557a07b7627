import { groupMembersStream } from '@scim/domain';
import { appendSizeInBytes, EventStore, MAX_APPEND_BYTES } from '@scim/event-store';
import { performance } from 'node:perf_hooks';
import { UserWriteModel } from '@scim/provisioning';
import type { CommandContext } from '../../apps/scim-api/src/shared/request-context';
import { AppendSizes, FailingAppends } from '../support/event-store-decorators';
import { accountAdmin, eventually, GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, type AccountAdmin, type ScimAccount, type ScimClient, type TestApp } from '../support/test-app';

/**
 * Issue 13 item 2 in embedded mode: a 50,000-member group through HTTP (POST, PUT, PATCH adding
 * 30,000, GET, filters, role grants for every member), every append under EventStoreDB's 1 MiB.
 * The users are seeded through the write path, not HTTP (60,000 POSTs would dominate the run).
 */
const USERS = 60_000;
const SEED_IN_PARALLEL = 1_000;
const GRANTS_TIMEOUT_MS = 600_000;
const ROLE = 'big-group-member';

jest.setTimeout(900_000);

describe('a 50,000-member group, end to end (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let scim: ScimClient;
  let admin: AccountAdmin;
  let appends: AppendSizes;
  let failing: FailingAppends;
  let groupId: string;
  const userIds: string[] = [];
  const figures: Record<string, number> = {};

  const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    figures[name] = Math.round(performance.now() - started);
    return result;
  };
  const range = (from: number, to: number) => userIds.slice(from, to);
  const asMembers = (ids: readonly string[]) => ids.map((value) => ({ value }));
  const holders = async () => (await admin('get', `/users?role=${ROLE}&count=1`).expect(200)).body.totalResults as number;
  const holds = async (userId: string) => ((await admin('get', `/users/${userId}`).expect(200)).body.roles as { role: string }[]).some((r) => r.role === ROLE);
  const memberCount = async () => {
    const listed = await scim.get(`/Groups?filter=${encodeURIComponent(`displayName eq "Everyone"`)}&excludedAttributes=members`).expect(200);
    expect(listed.body.totalResults).toBe(1);
    return ((await scim.get(`/Groups/${groupId}`).expect(200)).body.members as { value: string }[]).length;
  };
  const groupsWithMember = async (userId: string) => {
    const filter = encodeURIComponent(`members[value eq "${userId}"]`);
    return ((await scim.get(`/Groups?filter=${filter}&excludedAttributes=members`).expect(200)).body.Resources as { id: string }[]).map((g) => g.id);
  };

  beforeAll(async () => {
    testApp = await startTestApp(undefined, { eventStore: (store) => (appends = new AppendSizes((failing = new FailingAppends(store)))) });
    account = await testApp.newAccount();
    scim = scimClient(testApp, account);
    admin = accountAdmin(testApp, account);
    await admin('post', '/roles', { role: ROLE }).expect(201);

    const users = testApp.app.get(UserWriteModel);
    await timed('seed 60,000 users (write path, ms)', async () => {
      for (let first = 0; first < USERS; first += SEED_IN_PARALLEL) {
        const batch = Array.from({ length: Math.min(SEED_IN_PARALLEL, USERS - first) }, (_, i) => first + i);
        const written = await Promise.all(
          batch.map((i) => {
            const context: CommandContext = { accountId: account.accountId, actor: { kind: 'scim-token', tokenId: account.tokenId }, requestId: `seed-${i}`, at: new Date().toISOString() };
            return users.provision(context, { userName: `big${String(i).padStart(5, '0')}@example.com` }, true, []);
          }),
        );
        userIds.push(...written.map((w) => w.user.userId));
      }
    });
  });

  afterAll(async () => {
    console.log(`large groups: ${JSON.stringify(figures, null, 1)}`);
    await testApp.close();
  });

  it('POST with 50,000 members is all or nothing: a failure between its appends leaves no group, the retry creates one', async () => {
    const body = { schemas: [GROUP_SCHEMA], displayName: 'Everyone', members: asMembers(range(0, 50_000)) };
    let membershipAppends = 0;
    failing.shouldFail = (streamId) => streamId.startsWith('groupmembers-') && ++membershipAppends === 2;
    const failed = await scim.post('/Groups', body);
    expect(failed.status).toBe(500);
    failing.shouldFail = () => false;
    expect((await scim.get(`/Groups?filter=${encodeURIComponent('displayName eq "Everyone"')}`).expect(200)).body.totalResults).toBe(0);
    expect(await groupsWithMember(userIds[0])).toEqual([]);

    const created = await timed('POST 50,000 members (ms)', () => scim.post('/Groups', body).expect(201));
    groupId = created.body.id;
    expect(created.body.members).toHaveLength(50_000);
    const read = await scim.get(`/Groups/${groupId}`).expect(200);
    expect(read.headers.etag).toBe(created.headers.etag);
    expect(await memberCount()).toBe(50_000);
    expect(await groupsWithMember(userIds[49_999])).toEqual([groupId]);
    expect(await groupsWithMember(userIds[50_000])).toEqual([]);
    const store = testApp.app.get(EventStore);
    expect((await store.readStream(groupMembersStream(groupId))).length).toBeGreaterThan(1);
  });

  it('grants the role of a mapped group to all 50,000 members', async () => {
    await admin('put', `/groups/${groupId}/roles`, { roles: [ROLE] }).expect(200);
    await timed('mapped role visible on all 50,000 (ms)', () => eventually(async () => expect(await holders()).toBe(50_000), GRANTS_TIMEOUT_MS));
    expect(await holds(userIds[0])).toBe(true);
    expect(await holds(userIds[50_000])).toBe(false);
  });

  it('PUT with 50,000 members writes only the difference; roles follow', async () => {
    const before = (await testApp.app.get(EventStore).readStream(groupMembersStream(groupId))).length;
    await timed('PUT 50,000 members, 10,000 in and 10,000 out (ms)', () =>
      scim.put(`/Groups/${groupId}`, { schemas: [GROUP_SCHEMA], displayName: 'Everyone', members: asMembers(range(10_000, 60_000)) }).expect(200),
    );
    const written = (await testApp.app.get(EventStore).readStream(groupMembersStream(groupId))).slice(before);
    const changed = written.map((e) => [e.type, (e.data.members as string[]).length] as const);
    expect(changed.filter(([type]) => type === 'GroupMembersRemoved').reduce((n, [, count]) => n + count, 0)).toBe(10_000);
    expect(changed.filter(([type]) => type === 'GroupMembersAdded').reduce((n, [, count]) => n + count, 0)).toBe(10_000);
    expect(await memberCount()).toBe(50_000);
    expect(await groupsWithMember(userIds[0])).toEqual([]);
    expect(await groupsWithMember(userIds[59_999])).toEqual([groupId]);
    await timed('PUT grants and revocations visible (ms)', () =>
      eventually(async () => {
        expect(await holds(userIds[59_999])).toBe(true);
        expect(await holds(userIds[9_999])).toBe(false);
        expect(await holders()).toBe(50_000);
      }, GRANTS_TIMEOUT_MS),
    );
  });

  it('PATCH adding 30,000 members at once; roles follow', async () => {
    const remove = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value: asMembers(range(10_000, 40_000)) }] };
    await timed('PATCH removing 30,000 (ms)', () => scim.patch(`/Groups/${groupId}`, remove).expect(204));
    expect(await memberCount()).toBe(20_000);
    await timed('PATCH revocations visible on all 30,000 (ms)', () => eventually(async () => expect(await holders()).toBe(20_000), GRANTS_TIMEOUT_MS));
    const add = { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: asMembers(range(10_000, 40_000)) }] };
    await timed('PATCH adding 30,000 (ms)', () => scim.patch(`/Groups/${groupId}`, add).expect(204));
    expect(await memberCount()).toBe(50_000);
    expect(await groupsWithMember(userIds[10_000])).toEqual([groupId]);
    await timed('PATCH grants visible on all 50,000 (ms)', () => eventually(async () => expect(await holders()).toBe(50_000), GRANTS_TIMEOUT_MS));
  });

  it('kept every append under 1 MiB of event data and metadata, as stored', async () => {
    const largest = appends.sizes.reduce((max, a) => Math.max(max, a.bytes), 0);
    figures['largest append (bytes)'] = largest;
    expect(largest).toBeLessThanOrEqual(MAX_APPEND_BYTES);
    // The log as read back: no event weighs more than an append may.
    let largestEvent = 0;
    for await (const batch of testApp.app.get(EventStore).readAll()) for (const event of batch) largestEvent = Math.max(largestEvent, appendSizeInBytes([event]));
    figures['largest stored event (bytes)'] = largestEvent;
    expect(largestEvent).toBeLessThanOrEqual(MAX_APPEND_BYTES);
    // The group's changes were large enough to need splitting (50,000 ids are ~1.9 MB).
    expect(largestEvent).toBeGreaterThan(MAX_APPEND_BYTES / 2);
  });
});
