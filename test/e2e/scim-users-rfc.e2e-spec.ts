import { ENTERPRISE_USER, expectScimError, PATCH_OP, scimClient, startTestApp, USER_SCHEMA, type ScimClient, type TestApp } from '../support/test-app';

const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER_SCHEMA], userName, ...extra });
const ids = (body: { Resources: { id: string }[] }) => body.Resources.map((r) => r.id);
const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;

/** RFC 7643/7644 behaviour of /Users beyond the IdP sequences. */
describe('SCIM /Users per RFC 7644 (e2e)', () => {
  let testApp: TestApp;
  let scim: ScimClient;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    testApp = await startTestApp();
    scim = scimClient(testApp, await testApp.newAccount());
    const seed = [
      user('alice@example.com', { name: { givenName: 'Alice', familyName: 'Zed' }, title: 'Engineer', emails: [{ value: 'alice@example.com', type: 'work', primary: true }, { value: 'alice@home.org', type: 'home' }] }),
      user('bob@example.com', { name: { givenName: 'Bob', familyName: 'Young' }, title: 'Manager', emails: [{ value: 'bob@example.com', type: 'work' }] }),
      user('carol@other.org', { name: { givenName: 'Carol', familyName: 'Xu' }, active: false, [ENTERPRISE_USER]: { employeeNumber: '42', department: 'R&D' } }),
    ];
    for (const body of seed) {
      const res = await scim.post('/Users', body).expect(201);
      id[body.userName.split('@')[0]] = res.body.id;
    }
  });
  afterAll(() => testApp.close());

  describe('filters (§3.4.2.2)', () => {
    it.each([
      ['userName eq "ALICE@example.com"', ['alice']],
      ['userName ne "alice@example.com"', ['bob', 'carol']],
      ['userName co "EXAMPLE"', ['alice', 'bob']],
      ['userName sw "b"', ['bob']],
      ['userName ew ".org"', ['carol']],
      ['title pr', ['alice', 'bob']],
      ['not (title pr)', ['carol']],
      ['title eq "engineer" or title eq "manager"', ['alice', 'bob']],
      ['userName co "example" and not (name.givenName eq "bob")', ['alice']],
      ['(title eq "Engineer" or active eq false) and userName co "o"', ['alice', 'carol']],
      ['(title eq "Engineer" or active eq false) and userName ew ".org"', ['carol']],
      ['emails[type eq "home" and value co "home.org"]', ['alice']],
      ['emails co "bob@"', ['bob']],
      ['emails[type eq "work"].value eq "BOB@example.com"', ['bob']],
      [`${ENTERPRISE_USER}:employeeNumber eq "42"`, ['carol']],
      ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob@example.com"', ['bob']],
      ['name.familyName gt "Y"', ['alice', 'bob']],
      ['name.familyName le "Xu"', ['carol']],
      ['meta.created gt "2000-01-01T00:00:00Z"', ['alice', 'bob', 'carol']],
      ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
      ['active eq true', ['alice', 'bob']],
      ['USERNAME EQ "bob@example.com"', ['bob']],
    ])('%s', async (filter, expected) => {
      const res = await scim.get(q(filter)).expect(200);
      expect(ids(res.body).sort()).toEqual(expected.map((name) => id[name]).sort());
      expect(res.body.totalResults).toBe(expected.length);
    });

    it.each(['userName eq', 'userName xx "a"', 'userName eq "a" and', '(userName eq "a"', 'emails[type eq "work"', 'nope eq "x"', 'active gt true', 'meta.created gt "not a date"'])(
      'rejects %s with 400 invalidFilter',
      async (filter) => {
        const res = await scim.get(q(filter)).expect(400);
        expectScimError(res.body, 400, 'invalidFilter');
      },
    );
  });

  describe('sorting and paging (§3.4.2.3, §3.4.2.4)', () => {
    it('sorts by userName both ways', async () => {
      const asc = await scim.get('/Users?sortBy=userName').expect(200);
      expect(ids(asc.body)).toEqual([id.alice, id.bob, id.carol]);
      const desc = await scim.get('/Users?sortBy=userName&sortOrder=descending').expect(200);
      expect(ids(desc.body)).toEqual([id.carol, id.bob, id.alice]);
    });

    it('reads startIndex < 1 as 1 and count < 0 as 0', async () => {
      const res = await scim.get('/Users?startIndex=0&count=2').expect(200);
      expect(res.body).toMatchObject({ startIndex: 1, itemsPerPage: 2, totalResults: 3 });
      const none = await scim.get('/Users?count=-5').expect(200);
      expect(none.body).toMatchObject({ itemsPerPage: 0, totalResults: 3, Resources: [] });
    });

    it('rejects a non-integer count with 400', async () => {
      expectScimError((await scim.get('/Users?count=ten').expect(400)).body, 400, 'invalidValue');
    });

    it('answers POST /.search like GET (§3.4.3)', async () => {
      const res = await scim
        .post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "a"', attributes: ['userName'] })
        .expect(200);
      expect(res.body.Resources).toEqual([{ schemas: [USER_SCHEMA], id: id.alice, userName: 'alice@example.com' }]);
    });
  });

  describe('attribute selection (§3.4.2.5)', () => {
    it('returns only the requested attributes plus those always returned', async () => {
      const res = await scim.get(`/Users/${id.alice}?attributes=name.givenName,emails`).expect(200);
      expect(res.body).toEqual({
        schemas: [USER_SCHEMA],
        id: id.alice,
        name: { givenName: 'Alice' },
        emails: [{ value: 'alice@example.com', type: 'work', primary: true }, { value: 'alice@home.org', type: 'home' }],
      });
    });

    it('leaves out excluded attributes', async () => {
      const res = await scim.get(`/Users?filter=${encodeURIComponent('userName eq "bob@example.com"')}&excludedAttributes=emails,name`).expect(200);
      expect(res.body.Resources[0].emails).toBeUndefined();
      expect(res.body.Resources[0].name).toBeUndefined();
      expect(res.body.Resources[0].userName).toBe('bob@example.com');
    });
  });

  describe('versions and preconditions (§3.14)', () => {
    it('honours If-Match: 412 on a stale version, success on the current one', async () => {
      const current = await scim.get(`/Users/${id.bob}`).expect(200);
      const etag = current.headers.etag;
      const body = { ...current.body, title: 'Director' };
      await scim.put(`/Users/${id.bob}`, body).set('If-Match', 'W/"999"').expect(412);
      const ok = await scim.put(`/Users/${id.bob}`, body).set('If-Match', etag).expect(200);
      expect(ok.headers.etag).not.toBe(etag);
      const stale = await scim
        .patch(`/Users/${id.bob}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] })
        .set('If-Match', etag)
        .expect(412);
      expectScimError(stale.body, 412);
      await scim.delete(`/Users/${id.bob}`).set('If-Match', etag).expect(412);
    });

    it('answers 304 to If-None-Match with the current version', async () => {
      const current = await scim.get(`/Users/${id.alice}`).expect(200);
      await scim.get(`/Users/${id.alice}`).set('If-None-Match', current.headers.etag).expect(304);
    });

    it('records no new version for a PUT that changes nothing', async () => {
      const current = await scim.get(`/Users/${id.alice}`).expect(200);
      const res = await scim.put(`/Users/${id.alice}`, current.body).expect(200);
      expect(res.headers.etag).toBe(current.headers.etag);
    });
  });

  describe('bad input is a clear 4xx and changes nothing (§3.12)', () => {
    it.each([
      ['malformed JSON', '{"schemas": [', 400, 'invalidSyntax'],
      ['no schemas', JSON.stringify({ userName: 'x@example.com' }), 400, 'invalidSyntax'],
      ['no userName', JSON.stringify({ schemas: [USER_SCHEMA] }), 400, 'invalidValue'],
      ['userName not a string', JSON.stringify({ schemas: [USER_SCHEMA], userName: 7 }), 400, 'invalidValue'],
      ['active not a boolean', JSON.stringify({ schemas: [USER_SCHEMA], userName: 'y@example.com', active: 'maybe' }), 400, 'invalidValue'],
      ['two primary emails', JSON.stringify(user('z@example.com', { emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }] })), 400, 'invalidValue'],
      ['a JSON array', '[]', 400, 'invalidSyntax'],
    ])('%s', async (_, raw, status, scimType) => {
      const before = await scim.get('/Users').expect(200);
      const res = await scim.postRaw('/Users', raw).expect(status);
      expectScimError(res.body, status, scimType);
      expect((await scim.get('/Users').expect(200)).body.totalResults).toBe(before.body.totalResults);
    });

    it.each([
      ['no PatchOp schema', { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, 'invalidSyntax'],
      ['an unknown op', { schemas: [PATCH_OP], Operations: [{ op: 'merge', path: 'title', value: 'x' }] }, 'invalidSyntax'],
      ['an unknown path', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nosuch', value: 'x' }] }, 'invalidPath'],
      ['a read-only target', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] }, 'mutability'],
      ['a filter that matches nothing', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "fax"].value', value: 'x' }] }, 'noTarget'],
      ['removing userName', { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userName' }] }, undefined],
    ])('PATCH with %s is a 400 and leaves the user as it was', async (_, body, scimType) => {
      const before = await scim.get(`/Users/${id.alice}`).expect(200);
      const res = await scim.patch(`/Users/${id.alice}`, body).expect(400);
      expectScimError(res.body, 400, scimType);
      const after = await scim.get(`/Users/${id.alice}`).expect(200);
      expect(after.body).toEqual(before.body);
    });

    it('an unknown route is a SCIM 404', async () => {
      expectScimError((await scim.get('/Nothing').expect(404)).body, 404);
    });
  });

  describe('renames', () => {
    it('moves the userName reservation: the old name is free, the new one taken', async () => {
      const created = await scim.post('/Users', user('rename.me@example.com')).expect(201);
      await scim
        .patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'renamed@example.com' }] })
        .expect(200);
      await scim.post('/Users', user('RENAMED@example.com')).expect(409);
      await scim.post('/Users', user('rename.me@example.com')).expect(201);
    });

    it('refuses a rename onto a name another user holds', async () => {
      const res = await scim
        .patch(`/Users/${id.alice}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'Carol@Other.org' }] })
        .expect(409);
      expectScimError(res.body, 409, 'uniqueness');
    });
  });
});
