import { ScimError } from '../scim-error';
import { RESOURCE_LIMITS } from '../schema/limits';
import { normalizeUserProfile } from './user-profile';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function rejection(body: unknown): ScimError {
  try {
    normalizeUserProfile(body);
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('normalizeUserProfile', () => {
  it('keeps the attribute bag, in schema casing and order, without active', () => {
    const result = normalizeUserProfile({
      schemas: [CORE],
      UserName: 'bjensen@example.com',
      NAME: { FamilyName: 'Jensen', givenName: 'Barbara' },
      emails: [{ Value: 'bjensen@example.com', type: 'work', primary: true }],
      externalId: 'bjensen',
      active: true,
    });
    expect(result).toEqual({
      profile: {
        externalId: 'bjensen',
        userName: 'bjensen@example.com',
        name: { familyName: 'Jensen', givenName: 'Barbara' },
        emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      },
      active: true,
      notes: [],
    });
    expect(Object.keys(result.profile)).toEqual(['externalId', 'userName', 'name', 'emails']);
  });

  it('leaves active undefined when the body does not say', () => {
    expect(normalizeUserProfile({ schemas: [CORE], userName: 'a' }).active).toBeUndefined();
  });

  describe('validation (400)', () => {
    it.each([null, [], 'text', 42])('body %j is invalidSyntax', (body) => {
      expect(rejection(body)).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    });

    it.each([
      [{ userName: 'a' }],
      [{ schemas: 'urn:ietf:params:scim:schemas:core:2.0:User', userName: 'a' }],
      [{ schemas: [ENTERPRISE], userName: 'a' }],
      [{ schemas: [CORE, 7], userName: 'a' }],
    ])('missing or wrong schemas is invalidSyntax: %j', (body) => {
      expect(rejection(body)).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    });

    it.each([[{}], [{ userName: '' }], [{ userName: null }], [{ userName: 12 }]])('userName missing, empty or not a string is invalidValue: %j', (extra) => {
      const error = rejection({ schemas: [CORE], ...extra });
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toContain('userName');
    });

    it.each([
      [{ displayName: 5 }, 'displayName'],
      [{ name: 'Barbara' }, 'name'],
      [{ emails: { value: 'a@b' } }, 'emails'],
      [{ emails: [{ value: 1 }] }, 'emails.value'],
      [{ emails: [{ value: 'a@b', primary: 'yes' }] }, 'emails.primary'],
      [{ active: 'maybe' }, 'active'],
      [{ [ENTERPRISE]: { employeeNumber: 12 } }, `${ENTERPRISE}:employeeNumber`],
      [{ [ENTERPRISE]: 'x' }, ENTERPRISE],
      [{ title: ['a', 'b'] }, 'title'],
    ])('wrong type %j names the attribute path', (extra, path) => {
      const error = rejection({ schemas: [CORE], userName: 'a', ...extra });
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toContain(`"${path}"`);
    });

    it('refuses two primary values in one multi-valued attribute', () => {
      const error = rejection({
        schemas: [CORE],
        userName: 'a',
        emails: [
          { value: 'a@x', primary: true },
          { value: 'b@x', primary: 'True' },
        ],
      });
      expect(error).toMatchObject({ scimType: 'invalidValue' });
      expect(error.detail).toContain('emails');
    });

    it('refuses an attribute given twice in different case', () => {
      expect(rejection({ schemas: [CORE], userName: 'a', title: 'x', TITLE: 'y' })).toMatchObject({ scimType: 'invalidValue' });
    });
  });

  describe('quirks accepted and noted', () => {
    it('Entra: string booleans, nulls, roles: [], meta.resourceType, enterprise URN, extra schema', () => {
      const result = normalizeUserProfile({
        schemas: [CORE, ENTERPRISE, 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'],
        externalId: '0a21f0f2',
        userName: 'Test_User_ab6490ee@testuser.com',
        active: 'False',
        displayName: null,
        emails: [{ primary: 'true', type: 'work', value: 'Test_User@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
        [ENTERPRISE]: { department: null, employeeNumber: '42' },
      });
      expect(result.active).toBe(false);
      expect(result.profile).toEqual({
        externalId: '0a21f0f2',
        userName: 'Test_User_ab6490ee@testuser.com',
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        emails: [{ value: 'Test_User@testuser.com', type: 'work', primary: true }],
        [ENTERPRISE]: { employeeNumber: '42' },
      });
      expect(result.notes).toEqual([
        'unknown-schema-ignored:urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User',
        'boolean-from-string:active',
        'null-dropped:displayName',
        'boolean-from-string:emails.primary',
        'readonly-ignored:meta',
        'empty-dropped:roles',
        `null-dropped:${ENTERPRISE}:department`,
      ]);
    });

    it('Okta: password discarded, groups: [] and id ignored, locale kept', () => {
      const result = normalizeUserProfile({
        schemas: [CORE],
        id: 'abc',
        userName: 'john@example.com',
        password: 'hunter2',
        groups: [],
        locale: 'en-US',
        active: true,
      });
      expect(result.profile).toEqual({ userName: 'john@example.com', locale: 'en-US' });
      expect(result.profile).not.toHaveProperty('password');
      expect(result.notes).toEqual(['readonly-ignored:id', 'password-discarded', 'readonly-ignored:groups']);
    });

    it('moves top-level enterprise attributes sent with full URN keys into the extension', () => {
      const result = normalizeUserProfile({
        schemas: [CORE],
        userName: 'a',
        [`${ENTERPRISE}:employeeNumber`]: '1',
        [`${ENTERPRISE.toUpperCase()}:Department`]: 'Ops',
        [ENTERPRISE]: { costCenter: 'cc' },
      });
      expect(result.profile[ENTERPRISE]).toEqual({ employeeNumber: '1', costCenter: 'cc', department: 'Ops' });
      expect(result.notes).toEqual([`urn-key-moved:${ENTERPRISE}:employeeNumber`, `urn-key-moved:${ENTERPRISE}:department`]);
    });

    it('refuses the same enterprise attribute at top level and in the extension object', () => {
      expect(rejection({ schemas: [CORE], userName: 'a', [`${ENTERPRISE}:employeeNumber`]: '1', [ENTERPRISE]: { employeeNumber: '2' } })).toMatchObject({
        scimType: 'invalidValue',
      });
    });

    it('accepts the core URN prefix on core attributes', () => {
      const result = normalizeUserProfile({ schemas: [CORE], [`${CORE}:userName`]: 'a' });
      expect(result.profile).toEqual({ userName: 'a' });
      expect(result.notes).toEqual(['urn-key-moved:userName']);
    });

    it('ignores read-only manager.displayName, keeps manager value and $ref, wraps a bare manager id', () => {
      expect(
        normalizeUserProfile({ schemas: [CORE, ENTERPRISE], userName: 'a', [ENTERPRISE]: { manager: { value: 'm1', $ref: '../Users/m1', displayName: 'Boss' } } }),
      ).toMatchObject({ profile: { [ENTERPRISE]: { manager: { value: 'm1', $ref: '../Users/m1' } } }, notes: [`readonly-ignored:${ENTERPRISE}:manager.displayName`] });
      expect(normalizeUserProfile({ schemas: [CORE], userName: 'a', [ENTERPRISE]: { manager: 'm2' } })).toMatchObject({
        profile: { [ENTERPRISE]: { manager: { value: 'm2' } } },
        notes: [`bare-value-wrapped:${ENTERPRISE}:manager`],
      });
    });

    it('unwraps a one-element array for a single-valued attribute (Entra manager)', () => {
      const result = normalizeUserProfile({ schemas: [CORE], userName: 'a', [ENTERPRISE]: { manager: [{ value: 'm1' }] } });
      expect(result.profile[ENTERPRISE]).toEqual({ manager: { value: 'm1' } });
      expect(result.notes).toEqual([`single-value-unwrapped:${ENTERPRISE}:manager`]);
    });

    it('ignores unknown attributes and sub-attributes, and drops what becomes empty', () => {
      const result = normalizeUserProfile({ schemas: [CORE], userName: 'a', foo: 1, name: { nickname: 'x' }, emails: [{ value: 'a@b', foo: 1 }], title: '' });
      expect(result.profile).toEqual({ userName: 'a', emails: [{ value: 'a@b' }] });
      expect(result.notes).toEqual(['unknown-attribute-ignored:foo', 'unknown-attribute-ignored:name.nickname', 'empty-dropped:name', 'unknown-attribute-ignored:emails.foo', 'empty-dropped:title']);
    });

    it('drops null elements and elements that become empty from multi-valued attributes', () => {
      const result = normalizeUserProfile({ schemas: [CORE], userName: 'a', phoneNumbers: [null, { value: null }, { value: '+1 555' }] });
      expect(result.profile.phoneNumbers).toEqual([{ value: '+1 555' }]);
    });

    it('accepts roles sent as bare strings', () => {
      const result = normalizeUserProfile({ schemas: [CORE], userName: 'a', roles: ['admin'] });
      expect(result.profile.roles).toEqual([{ value: 'admin' }]);
      expect(result.notes).toEqual(['bare-value-wrapped:roles']);
    });
  });

  describe('resource limits (100 users with a 4 MB displayName once exhausted the heap)', () => {
    const user = (extra: Record<string, unknown>) => ({ schemas: [CORE, ENTERPRISE], userName: 'bjensen@example.com', ...extra });
    const text = (length: number) => 'x'.repeat(length);

    it('takes strings up to the limit and refuses longer ones, naming the attribute and the limit', () => {
      expect(normalizeUserProfile(user({ displayName: text(RESOURCE_LIMITS.maxStringLength) })).profile.displayName).toHaveLength(RESOURCE_LIMITS.maxStringLength);
      const error = rejection(user({ displayName: text(4 * 1024 * 1024) }));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toBe(`Attribute "displayName" is ${4 * 1024 * 1024} characters long; the limit is ${RESOURCE_LIMITS.maxStringLength}`);
    });

    it.each([
      ['a sub-attribute', { name: { givenName: text(RESOURCE_LIMITS.maxStringLength + 1) } }, 'name.givenName'],
      ['a value of a multi-valued attribute', { emails: [{ value: text(RESOURCE_LIMITS.maxStringLength + 1) }] }, 'emails.value'],
      ['an extension attribute', { [ENTERPRISE]: { department: text(RESOURCE_LIMITS.maxStringLength + 1) } }, `${ENTERPRISE}:department`],
      ['userName', { userName: text(RESOURCE_LIMITS.maxUserNameLength + 1) }, 'userName'],
    ])('limits %s', (_, extra, path) => {
      expect(rejection(user(extra)).detail).toContain(`Attribute "${path}" is`);
    });

    it('allows longer binary values (certificates)', () => {
      const certificate = text(RESOURCE_LIMITS.maxStringLength * 2);
      expect(normalizeUserProfile(user({ x509Certificates: [{ value: certificate }] })).profile.x509Certificates).toEqual([{ value: certificate }]);
      expect(rejection(user({ x509Certificates: [{ value: text(RESOURCE_LIMITS.maxBinaryLength + 1) }] })).scimType).toBe('invalidValue');
    });

    it('limits the values of a multi-valued attribute and the URNs in schemas', () => {
      const emails = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `u${i}@example.com` }));
      expect(normalizeUserProfile(user({ emails: emails(RESOURCE_LIMITS.maxValues) })).profile.emails).toHaveLength(RESOURCE_LIMITS.maxValues);
      expect(rejection(user({ emails: emails(RESOURCE_LIMITS.maxValues + 1) })).detail).toBe(
        `Attribute "emails" has ${RESOURCE_LIMITS.maxValues + 1} values; the limit is ${RESOURCE_LIMITS.maxValues}`,
      );
      const schemas = [CORE, ...Array.from({ length: RESOURCE_LIMITS.maxValues }, (_, i) => `urn:x:${i}`)];
      expect(rejection({ schemas, userName: 'bjensen@example.com' })).toMatchObject({ status: 400, scimType: 'invalidValue' });
    });

    it('limits the whole user, each value within its own limit', () => {
      const addresses = Array.from({ length: 20 }, () => ({ formatted: text(RESOURCE_LIMITS.maxStringLength) }));
      const error = rejection(user({ addresses }));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toMatch(new RegExp(`^The User is \\d+ characters of JSON; the limit is ${RESOURCE_LIMITS.maxResourceLength}$`));
    });

    it('keeps at most 50 notes, each short, however many unknown attributes a body has', () => {
      const unknown = Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`x${i}${text(1_000)}`, 1]));
      const { notes } = normalizeUserProfile(user(unknown));
      expect(notes.length).toBeLessThanOrEqual(51);
      expect(notes.at(-1)).toBe('more-notes-dropped');
      expect(Math.max(...notes.map((note) => note.length))).toBeLessThanOrEqual(201);
    });
  });
});
