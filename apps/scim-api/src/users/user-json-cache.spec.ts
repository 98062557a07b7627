import { UserJsonCache } from './user-json-cache';
import { userResource, type UserSnapshot } from './user-presenter';

const base = 'https://scim.example.com/scim/v2/a1';
const snapshot = (id: string, version: number, givenName = 'Ann'): UserSnapshot => ({
  id,
  profile: { userName: `${id}@example.com`, name: { givenName } },
  active: true,
  created: '2024-01-01T00:00:00.000Z',
  lastModified: '2024-02-01T00:00:00.000Z',
  version,
});
const givenNameIn = (json: string) => (JSON.parse(json) as { name: { givenName: string } }).name.givenName;

describe('UserJsonCache', () => {
  it('gives the JSON of the full user resource', () => {
    const user = snapshot('u1', 3);
    expect(new UserJsonCache().jsonOf(user, base)).toBe(JSON.stringify(userResource(user, base)));
  });

  it('serialises a revision once: the same version is answered from the cache', () => {
    const cache = new UserJsonCache();
    cache.jsonOf(snapshot('u1', 3, 'Ann'), base);
    // Same id and version cannot differ in a real store; a different name here shows what was reused.
    expect(givenNameIn(cache.jsonOf(snapshot('u1', 3, 'Changed'), base))).toBe('Ann');
  });

  it('serialises a new revision again', () => {
    const cache = new UserJsonCache();
    cache.jsonOf(snapshot('u1', 3, 'Ann'), base);
    const json = cache.jsonOf(snapshot('u1', 4, 'Anna'), base);
    expect(givenNameIn(json)).toBe('Anna');
    expect(JSON.parse(json).meta.version).toBe('W/"4"');
  });

  it('completes a cached user with each request’s base URL', () => {
    const cache = new UserJsonCache();
    cache.jsonOf(snapshot('u1', 3), base);
    expect(JSON.parse(cache.jsonOf(snapshot('u1', 3), 'http://other:8080/scim/v2/a1')).meta.location).toBe('http://other:8080/scim/v2/a1/Users/u1');
  });

  it('drops the entry stored longest ago when full', () => {
    const cache = new UserJsonCache(2);
    cache.jsonOf(snapshot('u1', 1, 'One'), base);
    cache.jsonOf(snapshot('u2', 1, 'Two'), base);
    cache.jsonOf(snapshot('u3', 1, 'Three'), base);
    expect(givenNameIn(cache.jsonOf(snapshot('u2', 1, 'Two again'), base))).toBe('Two');
    expect(givenNameIn(cache.jsonOf(snapshot('u1', 1, 'One again'), base))).toBe('One again');
  });
});
