import { currentSchemaVersion, type DomainEvent } from '@scim/domain';
import { EventStore, newEventId, type NewEvent } from '@scim/event-store';
import { NameHashing } from '@scim/provisioning';
import { FailingAppends, InterleavedWriter, NetworkLikeReads } from '../support/event-store-decorators';
import { GROUP_SCHEMA, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimAccount, type TestApp } from '../support/test-app';

describe('concurrency and durability (e2e)', () => {
  let testApp: TestApp;
  let account: ScimAccount;
  let failing: FailingAppends;
  let otherInstance: InterleavedWriter;

  beforeAll(async () => {
    // Reads answer on a later turn, as EventStoreDB's do: concurrent requests interleave for real.
    testApp = await startTestApp(undefined, {
      eventStore: (store) => new NetworkLikeReads((otherInstance = new InterleavedWriter((failing = new FailingAppends(store))))),
    });
    otherInstance.top = testApp.app.get(EventStore);
    account = await testApp.newAccount();
  });
  afterAll(() => testApp.close());

  it('100 concurrent creates of one userName: exactly one 201, 409 uniqueness for the rest, one user stored', async () => {
    const scim = scimClient(testApp, account);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        scim.post('/Users', { schemas: [USER_SCHEMA], userName: i % 2 ? 'race@example.com' : 'RACE@example.com', externalId: `e${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    for (const res of responses.filter((r) => r.status === 409)) expect(res.body.scimType).toBe('uniqueness');

    const listed = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "race@example.com"')}`).expect(200);
    expect(listed.body.totalResults).toBe(1);

    // Nothing half-written: exactly one user stream was ever started for the name.
    const store = testApp.app.get(EventStore);
    let provisioned = 0;
    for await (const batch of store.readAll({ streamPrefixes: ['user-'] })) {
      provisioned += batch.filter((e) => e.type === 'UserProvisioned' && (e.data.profile as { userName: string }).userName.toLowerCase() === 'race@example.com').length;
    }
    expect(provisioned).toBe(1);
    const reservation = await store.readStream(testApp.app.get(NameHashing).userNameStream('race@example.com'));
    expect(reservation.map((e) => e.type)).toEqual(['UserNameReserved']);
  });

  it('30 concurrent PATCHes of one user without If-Match: 30 × 200, every change present', async () => {
    const scim = scimClient(testApp, account);
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'patched@example.com' }).expect(201);
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        scim.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: `m${i}@example.com`, type: `t${i}` }] }] }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => 200));
    const final = await scim.get(`/Users/${created.body.id}`).expect(200);
    expect(final.body.emails.map((e: { value: string }) => e.value).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}@example.com`).sort());
    expect(final.headers.etag).toBe('W/"30"');
  });

  it('two PATCHes of one user racing with one If-Match: one 200 and one 412, every time', async () => {
    const scim = scimClient(testApp, account);
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'precondition@example.com' }).expect(201);
    for (let round = 0; round < 10; round++) {
      const etag = (await scim.get(`/Users/${created.body.id}`).expect(200)).headers.etag;
      const responses = await Promise.all(
        ['a', 'b'].map((side) =>
          scim.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: `${side}${round}` }] }).set('If-Match', etag),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([200, 412]);
      const winner = responses.find((r) => r.status === 200)!;
      expect((await scim.get(`/Users/${created.body.id}`).expect(200)).body.title).toBe(winner.body.title);
    }
  });

  describe('another API instance appending first', () => {
    const fromOtherInstance = (event: DomainEvent): NewEvent => ({
      id: newEventId(),
      type: event.type,
      data: event.data as Record<string, unknown>,
      metadata: { accountId: account.accountId, actor: { kind: 'system', process: 'other-instance' }, occurredAt: new Date().toISOString(), correlationId: 'other-instance', causationId: 'other-instance', schemaVersion: currentSchemaVersion(event.type) },
    });
    const renamedElsewhere = (userId: string, displayName: string) =>
      fromOtherInstance({ type: 'UserAttributesUpdated', data: { userId, changed: { displayName }, removed: [], updatedAt: new Date().toISOString() } });
    afterEach(() => {
      otherInstance.foreignBefore = () => undefined;
    });

    it('a PATCH without If-Match is decided again on the other instance\'s writes, and both are kept', async () => {
      const scim = scimClient(testApp, account);
      const { id } = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'elsewhere@example.com' }).expect(201)).body;
      let interleaved = 0;
      otherInstance.foreignBefore = (streamId) => (streamId === `user-${id}` && interleaved < 2 ? [renamedElsewhere(id, `Elsewhere ${++interleaved}`)] : undefined);
      const patched = await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Ours' }] }).expect(200);
      expect(patched.body).toMatchObject({ title: 'Ours', displayName: 'Elsewhere 2' });
      expect(patched.headers.etag).toBe('W/"3"');
    });

    it('gives up with 409 after a bounded number of attempts when the other instance always wins', async () => {
      const scim = scimClient(testApp, account);
      const { id } = (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'always-elsewhere@example.com' }).expect(201)).body;
      let interleaved = 0;
      otherInstance.foreignBefore = (streamId) => (streamId === `user-${id}` ? [renamedElsewhere(id, `Elsewhere ${++interleaved}`)] : undefined);
      const refused = await scim.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Ours' }] }).expect(409);
      expect(refused.body.detail).toMatch(/concurrent/i);
      expect(interleaved).toBe(4);
      otherInstance.foreignBefore = () => undefined;
      expect((await scim.get(`/Users/${id}`).expect(200)).body.title).toBeUndefined();
    });

    it('a membership PATCH is decided again without If-Match, and refused with 412 with it', async () => {
      const scim = scimClient(testApp, account);
      const ids: string[] = [];
      for (const name of ['ours', 'theirs', 'late']) ids.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `${name}-member@example.com` }).expect(201)).body.id);
      const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Elsewhere' }).expect(201);
      const membersStream = `groupmembers-${group.body.id}`;
      const addedElsewhere = (userId: string) =>
        fromOtherInstance({ type: 'GroupMembersAdded', data: { groupId: group.body.id, accountId: account.accountId, members: [userId], addedAt: new Date().toISOString() } });
      const add = (userId: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] });

      let interleaved = 0;
      otherInstance.foreignBefore = (streamId) => (streamId === membersStream && interleaved++ === 0 ? [addedElsewhere(ids[1])] : undefined);
      await scim.patch(`/Groups/${group.body.id}`, add(ids[0])).expect(204);
      const both = await scim.get(`/Groups/${group.body.id}`).expect(200);
      expect(both.body.members.map((m: { value: string }) => m.value).sort()).toEqual([ids[0], ids[1]].sort());

      interleaved = 0;
      await scim.patch(`/Groups/${group.body.id}`, add(ids[2])).set('If-Match', both.headers.etag).expect(412);
      const after = await scim.get(`/Groups/${group.body.id}`).expect(200);
      expect(after.body.members.map((m: { value: string }) => m.value)).not.toContain(ids[2]);
    });
  });

  describe('groups', () => {
    const memberIds: string[] = [];
    let groupId: string;

    beforeAll(async () => {
      const scim = scimClient(testApp, account);
      for (let i = 0; i < 30; i++) memberIds.push((await scim.post('/Users', { schemas: [USER_SCHEMA], userName: `member${i}@example.com` }).expect(201)).body.id);
      groupId = (await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Racing' }).expect(201)).body.id;
    });

    const addMember = (userId: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] });
    const memberValues = async () => {
      const group = await scimClient(testApp, account).get(`/Groups/${groupId}`).expect(200);
      return ((group.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
    };

    it('30 concurrent membership PATCHes without If-Match are all applied', async () => {
      const scim = scimClient(testApp, account);
      const before = (await scim.get(`/Groups/${groupId}`).expect(200)).headers.etag;
      const responses = await Promise.all(memberIds.map((userId) => scim.patch(`/Groups/${groupId}`, addMember(userId))));
      expect(responses.map((r) => r.status)).toEqual(memberIds.map(() => 204));
      expect(await memberValues()).toEqual([...memberIds].sort());
      expect((await scim.get(`/Groups/${groupId}`).expect(200)).headers.etag).toBe(`W/"${Number(/\d+/.exec(before)![0]) + 30}"`);
    });

    it('two membership PATCHes racing with one If-Match: one 204 and one 412, every time', async () => {
      const scim = scimClient(testApp, account);
      for (let round = 0; round < 10; round++) {
        const etag = (await scim.get(`/Groups/${groupId}`).expect(200)).headers.etag;
        const members = await memberValues();
        const [a, b] = [memberIds[round], memberIds[round + 10]];
        const removeMember = (userId: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${userId}"]` }] });
        const responses = await Promise.all([a, b].map((userId) => scim.patch(`/Groups/${groupId}`, removeMember(userId)).set('If-Match', etag)));
        expect(responses.map((r) => r.status).sort()).toEqual([204, 412]);
        const removed = responses[0].status === 204 ? a : b;
        expect(await memberValues()).toEqual(members.filter((m) => m !== removed));
      }
    });

    it('a rename and a membership PATCH racing with one If-Match: exactly one is applied', async () => {
      const scim = scimClient(testApp, account);
      for (let round = 0; round < 10; round++) {
        const current = await scim.get(`/Groups/${groupId}`).expect(200);
        const members = await memberValues();
        const rename = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Racing ${round}` }] };
        const removal = { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${members[0]}"]` }] };
        const responses = await Promise.all([rename, removal].map((body) => scim.patch(`/Groups/${groupId}`, body).set('If-Match', current.headers.etag)));
        expect(responses.map((r) => r.status).sort()).toEqual([204, 412]);
        const after = await scim.get(`/Groups/${groupId}`).expect(200);
        const renamed = after.body.displayName !== current.body.displayName;
        const removed = (await memberValues()).length === members.length - 1;
        expect([renamed, removed]).toEqual(responses[0].status === 204 ? [true, false] : [false, true]);
      }
    });

    it('a create that fails between its appends leaves no group; the retry creates exactly one, with its members', async () => {
      const scim = scimClient(testApp, account);
      const body = { schemas: [GROUP_SCHEMA], displayName: 'Half written', externalId: 'half-1', members: memberIds.slice(0, 3).map((value) => ({ value })) };
      // The second of its two appends (the group's and its members'), whichever order they come in.
      let appends = 0;
      failing.shouldFail = (streamId) => /^group(members)?-/.test(streamId) && ++appends === 2;
      const failed = await scim.post('/Groups', body);
      failing.shouldFail = () => false;
      expect(failed.status).toBe(500);
      const byName = `/Groups?filter=${encodeURIComponent('displayName eq "Half written"')}`;
      expect((await scim.get(byName).expect(200)).body.totalResults).toBe(0);
      const byMember = `/Groups?filter=${encodeURIComponent(`members[value eq "${memberIds[0]}"] and externalId eq "half-1"`)}`;
      expect((await scim.get(byMember).expect(200)).body.totalResults).toBe(0);

      const retried = await scim.post('/Groups', body).expect(201);
      const listed = await scim.get(byName).expect(200);
      expect(listed.body.Resources.map((g: { id: string }) => g.id)).toEqual([retried.body.id]);
      expect(listed.body.Resources[0].members.map((m: { value: string }) => m.value).sort()).toEqual(memberIds.slice(0, 3).sort());
      expect((await scim.get(`/Groups/${retried.body.id}`).expect(200)).headers.etag).toBe(retried.headers.etag);
    });

    it('a delete and a PATCH racing with one If-Match: exactly one is applied', async () => {
      const scim = scimClient(testApp, account);
      const doomed = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Doomed', members: [{ value: memberIds[0] }] }).expect(201);
      const [deleted, patched] = await Promise.all([
        scim.delete(`/Groups/${doomed.body.id}`).set('If-Match', doomed.headers.etag),
        scim.patch(`/Groups/${doomed.body.id}`, addMember(memberIds[1])).set('If-Match', doomed.headers.etag),
      ]);
      const after = await scim.get(`/Groups/${doomed.body.id}`);
      if (deleted.status === 204) {
        // The PATCH came second: to a group that is gone (404), or checked against its old version (412).
        expect([404, 412]).toContain(patched.status);
        expect(after.status).toBe(404);
      } else {
        expect([deleted.status, patched.status]).toEqual([412, 204]);
        expect(after.body.members.map((m: { value: string }) => m.value).sort()).toEqual([memberIds[0], memberIds[1]].sort());
      }
    });
  });

  it('keeps everything across a restart on the same data folder', async () => {
    const scim = scimClient(testApp, account);
    const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'durable@example.com', title: 'Kept' }).expect(201);
    await testApp.close(false);
    testApp = await (await import('../support/test-app')).startTestApp(testApp.dataDir);
    const again = scimClient(testApp, account);
    const res = await again.get(`/Users/${created.body.id}`).expect(200);
    expect(res.body.title).toBe('Kept');
    await again.post('/Users', { schemas: [USER_SCHEMA], userName: 'Durable@example.com' }).expect(409);
  });
});
