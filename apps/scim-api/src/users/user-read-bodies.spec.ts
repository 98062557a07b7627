import { listResponse, userJsonWithoutBaseUrl } from '@scim/scim-protocol';
import { UserJsonCache } from './user-json-cache';
import { userResource, type UserSnapshot } from './user-presenter';
import { UserReadBodies } from './user-read-bodies';

const base = 'https://scim.example.com/scim/v2/a1';
const snapshot = (id: string, version: number, givenName = 'Ann'): UserSnapshot => ({
  id,
  profile: { userName: `${id}@example.com`, name: { givenName }, emails: [{ value: `${id}@example.com`, primary: true }] },
  active: true,
  created: '2024-01-01T00:00:00.000Z',
  lastModified: '2024-02-01T00:00:00.000Z',
  version,
});
const fullJson = (cache: UserJsonCache, user: UserSnapshot, baseUrl = base) => new UserReadBodies(cache, baseUrl, {}).user(user).toString('utf8');
const givenNameIn = (json: string) => (JSON.parse(json) as { name: { givenName: string } }).name.givenName;

describe('UserReadBodies', () => {
  const users = [snapshot('u1', 3), snapshot('u2', 0, 'Zoë "Z"')];
  const paging = { totalResults: 42, startIndex: 11 };

  it('writes the JSON of the full user resource', () => {
    expect(fullJson(new UserJsonCache(), users[1])).toBe(JSON.stringify(userResource(users[1], base)));
  });

  it('writes the JSON of a selection (attributes, excludedAttributes)', () => {
    for (const selection of [{ attributes: 'userName' }, { excludedAttributes: 'emails' }]) {
      const body = new UserReadBodies(new UserJsonCache(), base, selection).user(users[0]).toString('utf8');
      expect(body).toBe(JSON.stringify(userResource(users[0], base, selection)));
    }
  });

  it('writes the JSON of a ListResponse, with or without a selection', () => {
    for (const selection of [{}, { attributes: 'userName,emails' }]) {
      const body = new UserReadBodies(new UserJsonCache(), base, selection).list(users, paging).toString('utf8');
      const resources = users.map((user) => userResource(user, base, selection));
      expect(body).toBe(JSON.stringify(listResponse(resources, { ...paging, itemsPerPage: 2 })));
    }
  });

  it('writes the same ListResponse from users’ stored JSON, alone or beside users serialised here', () => {
    const stored = (user: UserSnapshot) => {
      const { id, profile, active, created, lastModified, version } = user;
      return { storedJson: userJsonWithoutBaseUrl({ id, profile, active, meta: { created, lastModified, version } }) };
    };
    const expected = new UserReadBodies(new UserJsonCache(), base, {}).list(users, paging);
    expect(new UserReadBodies(new UserJsonCache(), base, {}).list(users.map(stored), paging)).toEqual(expected);
    expect(new UserReadBodies(new UserJsonCache(), base, {}).list([stored(users[0]), users[1]], paging)).toEqual(expected);
    expect(() => new UserReadBodies(new UserJsonCache(), base, { attributes: 'userName' }).list([stored(users[0])], paging)).toThrow(TypeError);
  });

  it('adds groups to stored, cached and fresh JSON as the rendered resource has them', () => {
    const groups = [{ value: 'g1', display: 'Eng "core"' }, { value: 'g2', display: 'Ops' }];
    const withGroups = users.map((user) => ({ ...user, groups }));
    const stored = ({ id, profile, active, created, lastModified, version }: UserSnapshot) => ({
      storedJson: userJsonWithoutBaseUrl({ id, profile, active, meta: { created, lastModified, version } }),
      groups,
    });
    const expected = JSON.stringify(listResponse(withGroups.map((user) => userResource(user, base)), { ...paging, itemsPerPage: 2 }));
    expect(JSON.parse(expected).Resources[0].groups).toEqual([
      { value: 'g1', $ref: `${base}/Groups/g1`, display: 'Eng "core"', type: 'direct' },
      { value: 'g2', $ref: `${base}/Groups/g2`, display: 'Ops', type: 'direct' },
    ]);
    const cache = new UserJsonCache();
    expect(new UserReadBodies(cache, base, {}).list(users.map(stored), paging).toString('utf8')).toBe(expected);
    expect(new UserReadBodies(cache, base, {}).list(withGroups, paging).toString('utf8')).toBe(expected);
    fullJson(cache, users[0]);
    expect(fullJson(cache, withGroups[0])).toBe(JSON.stringify(userResource(withGroups[0], base)));
    expect(fullJson(cache, users[0])).toBe(JSON.stringify(userResource(users[0], base)));
  });

  it('writes an empty ListResponse', () => {
    const body = new UserReadBodies(new UserJsonCache(), base, {}).list([], { totalResults: 0, startIndex: 1 }).toString('utf8');
    expect(body).toBe(JSON.stringify(listResponse([], { totalResults: 0, startIndex: 1, itemsPerPage: 0 })));
  });
});

describe('UserJsonCache', () => {
  it('serialises a revision once: the same version is answered from the cache', () => {
    const cache = new UserJsonCache();
    fullJson(cache, snapshot('u1', 3, 'Ann'));
    // Same id and version cannot differ in a real store; a different name here shows what was reused.
    expect(givenNameIn(fullJson(cache, snapshot('u1', 3, 'Changed')))).toBe('Ann');
  });

  it('serialises a new revision again', () => {
    const cache = new UserJsonCache();
    fullJson(cache, snapshot('u1', 3, 'Ann'));
    const json = fullJson(cache, snapshot('u1', 4, 'Anna'));
    expect(givenNameIn(json)).toBe('Anna');
    expect(JSON.parse(json).meta.version).toBe('W/"4"');
  });

  it('completes a cached user with each request’s base URL', () => {
    const cache = new UserJsonCache();
    fullJson(cache, snapshot('u1', 3));
    expect(JSON.parse(fullJson(cache, snapshot('u1', 3), 'http://other:8080/scim/v2/a1')).meta.location).toBe('http://other:8080/scim/v2/a1/Users/u1');
  });

  it('caches the user of a one-user page (a lookup), not the users of a longer page', () => {
    const cache = new UserJsonCache();
    const list = (page: UserSnapshot[]) => new UserReadBodies(cache, base, {}).list(page, { totalResults: page.length, startIndex: 1 });
    list([snapshot('u1', 1, 'One'), snapshot('u2', 1, 'Two')]);
    list([snapshot('u3', 1, 'Three')]);
    expect(givenNameIn(fullJson(cache, snapshot('u1', 1, 'One again')))).toBe('One again');
    expect(givenNameIn(fullJson(cache, snapshot('u3', 1, 'Three again')))).toBe('Three');
  });

  it('answers a longer page from the cache where it can', () => {
    const cache = new UserJsonCache();
    fullJson(cache, snapshot('u1', 1, 'One'));
    const body = new UserReadBodies(cache, base, {}).list([snapshot('u1', 1, 'One again'), snapshot('u2', 1, 'Two')], { totalResults: 2, startIndex: 1 });
    expect((JSON.parse(body.toString('utf8')) as { Resources: { name: { givenName: string } }[] }).Resources.map((user) => user.name.givenName)).toEqual(['One', 'Two']);
  });

  it('drops the entry stored longest ago when full', () => {
    const cache = new UserJsonCache(2);
    fullJson(cache, snapshot('u1', 1, 'One'));
    fullJson(cache, snapshot('u2', 1, 'Two'));
    fullJson(cache, snapshot('u3', 1, 'Three'));
    expect(givenNameIn(fullJson(cache, snapshot('u2', 1, 'Two again')))).toBe('Two');
    expect(givenNameIn(fullJson(cache, snapshot('u1', 1, 'One again')))).toBe('One again');
  });
});
