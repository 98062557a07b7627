import { ScimError } from '../scim-error';
import { renderGroup, renderUser } from '../resource/render';
import { groupResourceSchema, userResourceSchema } from '../schema/resource-schema';
import { matchesQuery } from '../testing/evaluate-query';
import { parseFilter } from './parser';
import { searchMirror } from './search-mirror';
import { escapeRegex, filterToQuery } from './to-query';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const query = (filter: string, mirrorField?: string) => filterToQuery(parseFilter(filter), userResourceSchema, mirrorField);

describe('filterToQuery: the query documents', () => {
  it.each([
    ['userName eq "BJensen"', { 'search.userName': 'bjensen' }],
    ['externalId eq "AbC"', { 'search.externalId': 'AbC' }],
    ['id eq "Ab-1"', { 'search.id': 'Ab-1' }],
    ['userName ne "x"', { 'search.userName': { $ne: 'x' } }],
    ['userName co "a.b"', { 'search.userName': { $regex: 'a\\.b' } }],
    ['userName sw "J(r)"', { 'search.userName': { $regex: '^j\\(r\\)' } }],
    ['userName ew "@X.com"', { 'search.userName': { $regex: '@x\\.com(?![\\s\\S])' } }],
    ['title pr', { 'search.title': { $exists: true } }],
    ['title eq null', { 'search.title': { $exists: false } }],
    ['title ne null', { 'search.title': { $exists: true } }],
    ['active eq true', { 'search.active': true }],
    ['active eq "False"', { 'search.active': false }],
    ['active ne false', { 'search.active': { $ne: false } }],
    ['name.familyName gt "M"', { 'search.name.familyName': { $gt: 'm' } }],
    ['emails co "@Example.com"', { 'search.emails.value': { $regex: '@example\\.com' } }],
    ['emails.type eq "work"', { 'search.emails.type': 'work' }],
    ['emails pr', { 'search.emails': { $exists: true } }],
    ['name pr', { 'search.name': { $exists: true } }],
    [`${ENTERPRISE}:employeeNumber eq "42"`, { 'search.enterprise.employeeNumber': '42' }],
    [`${ENTERPRISE}:manager.value eq "M1"`, { 'search.enterprise.manager.value': 'm1' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "A"', { 'search.userName': 'a' }],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', { 'search.meta.lastModified': { $gt: '2011-05-13T04:42:34.000Z' } }],
    ['meta.created le "2011-05-13T06:42:34+02:00"', { 'search.meta.created': { $lte: '2011-05-13T04:42:34.000Z' } }],
    ['meta.version eq "W/\\"3\\""', { 'search.meta.version': 'W/"3"' }],
    ['userName eq "a" and active eq true', { 'search.userName': 'a', 'search.active': true }],
    ['userName eq "a" or userName eq "b"', { $or: [{ 'search.userName': 'a' }, { 'search.userName': 'b' }] }],
    ['userName eq "a" or userName eq "b" or userName eq "c"', { $or: [{ 'search.userName': 'a' }, { 'search.userName': 'b' }, { 'search.userName': 'c' }] }],
    ['userName sw "a" and userName ew "z"', { $and: [{ 'search.userName': { $regex: '^a' } }, { 'search.userName': { $regex: 'z(?![\\s\\S])' } }] }],
    ['not (userName eq "a")', { $nor: [{ 'search.userName': 'a' }] }],
    ['emails[type eq "work" and value co "@X"]', { 'search.emails': { $elemMatch: { type: 'work', value: { $regex: '@x' } } } }],
    ['emails[type eq "work"].value eq "A@B.c"', { 'search.emails': { $elemMatch: { type: 'work', value: 'a@b.c' } } }],
    ['emails[not (type eq "work")]', { 'search.emails': { $elemMatch: { $nor: [{ type: 'work' }] } } }],
    ['emails[type eq "work" or primary eq true]', { 'search.emails': { $elemMatch: { $or: [{ type: 'work' }, { primary: true }] } } }],
    ['emails.value ne "a@b"', { 'search.emails': { $elemMatch: { value: { $ne: 'a@b' } } } }],
    ['name[givenName eq "Ann"]', { 'search.name.givenName': 'ann' }],
  ])('%s', (filter, expected) => {
    expect(query(filter)).toEqual(expected);
  });

  it('uses the given mirror field', () => {
    expect(query('userName eq "a"', 'mirror')).toEqual({ 'mirror.userName': 'a' });
  });

  it('lower-cases with NFC normalisation (composed and decomposed forms agree)', () => {
    expect(query('userName eq "Jose\u0301"')).toEqual({ 'search.userName': 'jos\u00e9' });
  });

  it('compares dateTimes finer than a millisecond exactly', () => {
    const lit = '"2011-05-13T04:42:34.1234Z"';
    expect(query(`meta.created gt ${lit}`)).toEqual({ 'search.meta.created': { $gt: '2011-05-13T04:42:34.123Z' } });
    expect(query(`meta.created ge ${lit}`)).toEqual({ 'search.meta.created': { $gt: '2011-05-13T04:42:34.123Z' } });
    expect(query(`meta.created lt ${lit}`)).toEqual({ 'search.meta.created': { $lte: '2011-05-13T04:42:34.123Z' } });
    expect(query(`meta.created eq ${lit}`)).toEqual({ 'search.meta.created': '2011-05-13T04:42:34.1234Z' });
  });

  it.each([
    ['meta.created gt "2011-02-30T00:00:00Z"', 'not a valid dateTime'],
    ['meta.created co "2011"', '"co" is not allowed on dateTime'],
    ['active co "t"', '"co" is not allowed on boolean'],
    ['active ge true', '"ge" is not allowed on boolean'],
    ['active eq "yes"', 'needs true or false'],
    ['x509Certificates.value gt "A"', '"gt" is not allowed on binary'],
    ['emails[foo eq "x"]', 'not a sub-attribute'],
    ['userName[value eq "x"]', 'needs a complex attribute'],
    ['members.value eq "x"', 'unknown attribute'],
    ['emails.$ref eq "x"', 'unknown attribute'],
    ['groups.$ref eq "x"', '"$ref" cannot be filtered'],
    ['password pr', 'cannot be filtered'],
    ['userName gt null', 'cannot compare with null'],
    [`${ENTERPRISE}:manager eq "x"`, 'is complex'],
  ])('%s is invalidFilter (%s)', (filter, message) => {
    let error: unknown;
    try {
      query(filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect((error as ScimError).detail).toContain(message);
  });
});

describe('ew: the end of the string, in MongoDB as in JavaScript', () => {
  it("never ends the regex with $, which MongoDB's PCRE also matches before a trailing newline", () => {
    const { $regex } = query('userName ew "acme.com"')['search.userName'] as { $regex: string };

    expect($regex.endsWith('$')).toBe(false);
    expect(new RegExp($regex).test('bob@acme.com')).toBe(true);
    expect(new RegExp($regex).test('bob@acme.com\n')).toBe(false);
    expect(new RegExp($regex).test('bob@acme.com.evil')).toBe(false);
  });
});

describe('escapeRegex', () => {
  it('escapes every regular-expression metacharacter', () => {
    const text = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p';
    expect(new RegExp(`^${escapeRegex(text)}$`).test(text)).toBe(true);
    expect(new RegExp(escapeRegex('a.c')).test('abc')).toBe(false);
  });
});

describe('filterToQuery over search mirrors: what matches', () => {
  const meta = (lastModified: string) => ({ created: '2011-05-13T04:42:34.000Z', lastModified, version: 1 });
  const users = [
    renderUser(
      {
        id: 'u1',
        profile: {
          userName: 'BJensen@Example.com',
          externalId: 'bjensen',
          name: { familyName: 'Jensen', givenName: 'Barbara' },
          title: 'Tour Guide',
          emails: [
            { value: 'BJensen@Example.com', type: 'work', primary: true },
            { value: 'babs@jensen.org', type: 'home' },
          ],
          [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'u2', $ref: '../Users/u2' } },
        },
        active: true,
        meta: meta('2011-05-13T04:42:34.000Z'),
      },
      'https://x',
    ),
    renderUser(
      {
        id: 'u2',
        profile: { userName: 'jsmith', emails: [{ value: 'js@home.example.org', type: 'home' }], name: { familyName: 'Smith' } },
        active: false,
        meta: meta('2012-01-01T00:00:00.000Z'),
      },
      'https://x',
    ),
    renderUser({ id: 'u3', profile: { userName: 'José' }, active: true, meta: meta('2011-05-13T04:42:33.999Z') }, 'https://x'),
  ].map((resource) => ({ _id: resource.id as string, search: searchMirror(resource, userResourceSchema) }));

  const ids = (filter: string) => users.filter((doc) => matchesQuery(doc, query(filter))).map((doc) => doc._id);

  it.each([
    ['userName eq "bjensen@example.com"', ['u1']],
    ['userName eq "JSMITH"', ['u2']],
    ['externalId eq "BJENSEN"', []],
    ['externalId eq "bjensen"', ['u1']],
    ['emails[type eq "work"].value eq "bjensen@EXAMPLE.com"', ['u1']],
    ['emails[type eq "home"].value eq "bjensen@example.com"', []],
    ['emails co "example"', ['u1', 'u2']],
    ['emails[type eq "work" and value co "@example.com"]', ['u1']],
    ['emails.value ne "babs@jensen.org"', ['u1', 'u2']],
    ['not (emails.value eq "babs@jensen.org")', ['u2', 'u3']],
    ['active eq false', ['u2']],
    ['active eq "True"', ['u1', 'u3']],
    ['title pr', ['u1']],
    ['not (title pr)', ['u2', 'u3']],
    ['title eq null', ['u2', 'u3']],
    ['name.familyName sw "J"', ['u1']],
    ['userName gt "j"', ['u2', 'u3']],
    ['userName lt "j"', ['u1']],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['u2']],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', ['u1', 'u2']],
    ['meta.lastModified ge "2011-05-13T06:42:34+02:00"', ['u1', 'u2']],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', ['u3']],
    ['meta.lastModified gt "2011-05-13T04:42:33.9995Z"', ['u1', 'u2']],
    ['meta.lastModified lt "2011-05-13T04:42:33.9995Z"', ['u3']],
    ['meta.lastModified eq "2011-05-13T04:42:34Z"', ['u1']],
    [`${ENTERPRISE}:employeeNumber eq "701984"`, ['u1']],
    [`${ENTERPRISE}:manager.value eq "U2"`, ['u1']],
    ['manager.value eq "u2"', ['u1']],
    ['userName eq "jos\u0065\u0301"', ['u3']],
    ['id eq "u2"', ['u2']],
    ['id eq "U2"', []],
    ['userName eq "nobody-0f8fad5b-d9cb-469f-a165-70867728950e"', []],
    ['(userName sw "b" or userName sw "j") and active eq true', ['u1', 'u3']],
    ['userName co "."', ['u1']],
  ])('%s → %j', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  it('$ref never reaches the mirror, and the enterprise extension is under "enterprise"', () => {
    expect(users[0].search).toMatchObject({ enterprise: { employeeNumber: '701984', manager: { value: 'u2' } } });
    expect(JSON.stringify(users[0].search)).not.toContain('$ref');
  });

  it('filters groups on displayName case-insensitively and members by value', () => {
    const group = renderGroup(
      { id: 'g1', profile: { displayName: 'Engineering' }, members: [{ value: 'u1' }], meta: meta('2011-05-13T04:42:34.000Z') },
      'https://x',
    );
    const doc = { search: searchMirror(group, groupResourceSchema) };
    const groupQuery = (f: string) => filterToQuery(parseFilter(f), groupResourceSchema);
    expect(matchesQuery(doc, groupQuery('displayName eq "ENGINEERING"'))).toBe(true);
    expect(matchesQuery(doc, groupQuery('members[value eq "u1"]'))).toBe(true);
    expect(matchesQuery(doc, groupQuery('members eq "u2"'))).toBe(false);
  });
});
