import { RESOURCE_LIMITS } from '../schema/limits';
import { ScimError } from '../scim-error';
import { parsePatchRequest } from './patch-request';
import { applyUserPatch } from './user-patch';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const base = {
  profile: {
    userName: 'ann@example.com',
    name: { givenName: 'Ann', familyName: 'Lee' },
    emails: [
      { value: 'ann@work.example', type: 'work', primary: true },
      { value: 'ann@home.example', type: 'home' },
    ],
    addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield' }],
    [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'm1', $ref: 'https://x/Users/m1' } },
  },
  active: true,
};

const patch = (operations: unknown[], current: { profile: Record<string, unknown>; active: boolean | null } = base) =>
  applyUserPatch(current, parsePatchRequest({ schemas: [PATCH], Operations: operations }));

function rejection(operations: unknown[], current = base): ScimError {
  try {
    patch(operations, current);
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw e;
  }
  throw new Error('expected a ScimError');
}

describe('applyUserPatch: simple paths', () => {
  it('replace and add on a single-valued attribute set it', () => {
    expect(patch([{ op: 'replace', path: 'title', value: 'CTO' }]).profile.title).toBe('CTO');
    expect(patch([{ op: 'Add', path: 'displayName', value: 'Ann Lee' }, { op: 'Add', path: 'displayName', value: 'A. Lee' }]).profile.displayName).toBe('A. Lee');
  });

  it('resolves path names case-insensitively into schema casing', () => {
    expect(patch([{ op: 'replace', path: 'NickName', value: 'al' }]).profile).toHaveProperty('nickName', 'al');
  });

  it('remove unassigns', () => {
    const result = patch([{ op: 'remove', path: 'name' }]);
    expect(result.profile).not.toHaveProperty('name');
  });

  it('does not change the current profile (pure)', () => {
    const before = JSON.stringify(base);
    patch([{ op: 'remove', path: 'emails' }, { op: 'replace', path: 'name.givenName', value: 'Zed' }]);
    expect(JSON.stringify(base)).toBe(before);
  });

  it('replace with null unassigns, noted', () => {
    const result = patch([{ op: 'replace', path: 'name', value: null }]);
    expect(result.profile).not.toHaveProperty('name');
    expect(result.notes).toContain('null-dropped:name');
  });

  it('applies operations in order', () => {
    expect(patch([{ op: 'add', path: 'title', value: 'A' }, { op: 'remove', path: 'title' }]).profile).not.toHaveProperty('title');
    expect(patch([{ op: 'remove', path: 'title' }, { op: 'add', path: 'title', value: 'B' }]).profile.title).toBe('B');
  });
});

describe('applyUserPatch: active', () => {
  it('Okta deactivation: path-less replace {active: false}', () => {
    expect(patch([{ op: 'replace', value: { active: false } }])).toEqual({ profile: base.profile, active: false, notes: [] });
  });

  it('Entra string booleans ("False")', () => {
    expect(patch([{ op: 'Replace', path: 'active', value: 'False' }])).toMatchObject({ active: false, notes: ['boolean-from-string:active'] });
    expect(patch([{ op: 'Replace', path: 'active', value: 'TRUE' }], { ...base, active: false }).active).toBe(true);
  });

  it('keeps the current active when the patch does not touch it', () => {
    expect(patch([{ op: 'replace', path: 'title', value: 'x' }], { ...base, active: false }).active).toBe(false);
    expect(patch([{ op: 'replace', path: 'title', value: 'x' }]).active).toBe(true);
  });

  it('remove active (RFC 7644 §3.5.2.2) leaves it unassigned (null), and a later op in the same request still applies', () => {
    expect(patch([{ op: 'remove', path: 'active' }])).toEqual({ profile: base.profile, active: null, notes: [] });
    expect(patch([{ op: 'remove', path: 'active' }], { ...base, active: false }).active).toBeNull();
    expect(patch([{ op: 'remove', path: 'active' }, { op: 'add', path: 'active', value: true }]).active).toBe(true);
    expect(patch([{ op: 'replace', path: 'active', value: null }]).active).toBeNull();
  });

  it('keeps an unassigned active unassigned until an operation gives it a value', () => {
    const unassigned = { ...base, active: null };
    expect(patch([{ op: 'replace', path: 'title', value: 'x' }], unassigned)).toMatchObject({ active: null, notes: [] });
    expect(patch([{ op: 'replace', value: { active: false } }], unassigned).active).toBe(false);
  });

  it('rejects a non-boolean active', () => {
    expect(rejection([{ op: 'replace', path: 'active', value: 'nope' }])).toMatchObject({ scimType: 'invalidValue' });
  });
});

describe('applyUserPatch: sub-attributes and complex attributes', () => {
  it('replaces name.givenName only', () => {
    expect(patch([{ op: 'replace', path: 'name.givenName', value: 'Anna' }]).profile.name).toEqual({ givenName: 'Anna', familyName: 'Lee' });
  });

  it('removes name.familyName only; the complex attribute goes when emptied', () => {
    expect(patch([{ op: 'remove', path: 'name.familyName' }]).profile.name).toEqual({ givenName: 'Ann' });
    expect(patch([{ op: 'remove', path: 'name.familyName' }, { op: 'remove', path: 'name.givenName' }]).profile).not.toHaveProperty('name');
  });

  it('replace of a complex attribute merges sub-attributes (RFC 7644 §3.5.2.3)', () => {
    expect(patch([{ op: 'replace', path: 'name', value: { familyName: 'Smith', middleName: 'B' } }]).profile.name).toEqual({
      familyName: 'Smith',
      givenName: 'Ann',
      middleName: 'B',
    });
  });

  it('a null sub-attribute in a complex value removes it', () => {
    expect(patch([{ op: 'replace', path: 'name', value: { familyName: null } }]).profile.name).toEqual({ givenName: 'Ann' });
  });

  it('creates a complex attribute when setting a sub-attribute of an absent one', () => {
    expect(patch([{ op: 'add', path: 'name.givenName', value: 'X' }], { profile: { userName: 'u' }, active: true }).profile).toEqual({
      userName: 'u',
      name: { givenName: 'X' },
    });
  });

  it('refuses an unknown sub-attribute', () => {
    expect(rejection([{ op: 'replace', path: 'name.nickname', value: 'x' }])).toMatchObject({ status: 400, scimType: 'invalidPath' });
  });
});

describe('applyUserPatch: multi-valued attributes', () => {
  it('add appends, skipping exact duplicates', () => {
    const result = patch([
      { op: 'add', path: 'emails', value: [{ value: 'ann@other.example', type: 'other' }, { value: 'ann@home.example', type: 'home' }] },
    ]);
    expect(result.profile.emails).toEqual([...base.profile.emails, { value: 'ann@other.example', type: 'other' }]);
  });

  it('add of a value with primary true makes the others non-primary (RFC 7644 §3.5.2)', () => {
    const result = patch([{ op: 'add', path: 'emails', value: [{ value: 'new@x', type: 'work', primary: true }] }]);
    expect(result.profile.emails).toEqual([
      { value: 'ann@work.example', type: 'work', primary: false },
      { value: 'ann@home.example', type: 'home' },
      { value: 'new@x', type: 'work', primary: true },
    ]);
  });

  it('add of a single object appends it, noted', () => {
    const result = patch([{ op: 'add', path: 'phoneNumbers', value: { value: '+1 555', type: 'work' } }]);
    expect(result.profile.phoneNumbers).toEqual([{ value: '+1 555', type: 'work' }]);
    expect(result.notes).toContain('value-wrapped-in-array:phoneNumbers');
  });

  it('replace without filter replaces all values', () => {
    expect(patch([{ op: 'replace', path: 'emails', value: [{ value: 'only@x' }] }]).profile.emails).toEqual([{ value: 'only@x' }]);
  });

  it('replace with two primary values is invalidValue', () => {
    expect(rejection([{ op: 'replace', path: 'emails', value: [{ value: 'a', primary: true }, { value: 'b', primary: true }] }])).toMatchObject({
      scimType: 'invalidValue',
    });
  });

  it('remove without filter removes all values', () => {
    expect(patch([{ op: 'remove', path: 'emails' }]).profile).not.toHaveProperty('emails');
  });

  it('remove with a value list removes only the listed values (Entra style), noted', () => {
    const result = patch([{ op: 'remove', path: 'emails', value: [{ value: 'ANN@home.example' }] }]);
    expect(result.profile.emails).toEqual([{ value: 'ann@work.example', type: 'work', primary: true }]);
    expect(result.notes).toContain('remove-listed-values:emails');
  });

  it('roles: add, then remove by filter', () => {
    const added = patch([{ op: 'add', path: 'roles', value: [{ value: 'admin' }, { value: 'dev' }] }]);
    expect(added.profile.roles).toEqual([{ value: 'admin' }, { value: 'dev' }]);
    const removed = patch([{ op: 'remove', path: 'roles[value eq "admin"]' }], { profile: { ...added.profile }, active: true });
    expect(removed.profile.roles).toEqual([{ value: 'dev' }]);
  });
});

describe('applyUserPatch: value filter paths', () => {
  it('replace emails[type eq "work"].value sets it on the matching value', () => {
    const result = patch([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'ann@new.example' }]);
    expect(result.profile.emails).toEqual([
      { value: 'ann@new.example', type: 'work', primary: true },
      { value: 'ann@home.example', type: 'home' },
    ]);
  });

  it('filters compare caseExact=false sub-attributes case-insensitively', () => {
    const result = patch([{ op: 'replace', path: 'emails[type eq "WORK"].display', value: 'Work mail' }]);
    expect((result.profile.emails as { display?: string }[])[0].display).toBe('Work mail');
  });

  it('replace addresses[type eq "work"].streetAddress', () => {
    expect(patch([{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '2 Side St' }]).profile.addresses).toEqual([
      { streetAddress: '2 Side St', locality: 'Springfield', type: 'work' },
    ]);
  });

  it('replace with a filter and an object merges into each matching value', () => {
    expect(patch([{ op: 'replace', path: 'addresses[type eq "work"]', value: { locality: 'Shelbyville', postalCode: '12345' } }]).profile.addresses).toEqual([
      { streetAddress: '1 Main St', locality: 'Shelbyville', postalCode: '12345', type: 'work' },
    ]);
  });

  it('replace with a filter that matches nothing is noTarget (RFC 7644 §3.5.2.3)', () => {
    expect(rejection([{ op: 'replace', path: 'emails[type eq "other"].value', value: 'x@y' }])).toMatchObject({ status: 400, scimType: 'noTarget' });
  });

  it('replace with a filter on an attribute that has no values at all is an add (§3.5.2.3), noted', () => {
    const result = patch([{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'u@work.example' }], { profile: { userName: 'u' }, active: true });
    expect(result.profile.emails).toEqual([{ value: 'u@work.example', type: 'work' }]);
    expect(result.notes).toEqual(['replace-as-add:emails', 'filter-add-created:emails']);
  });

    it('add with a filter that matches nothing creates the value it describes (Entra), noted', () => {
    const result = patch([{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' }]);
    expect(result.profile.phoneNumbers).toEqual([{ value: '+1 555 0100', type: 'mobile' }]);
    expect(result.notes).toContain('filter-add-created:phoneNumbers');
  });

  it('add with a filter that matches updates the matching value', () => {
    expect(patch([{ op: 'add', path: 'emails[type eq "home"].value', value: 'ann@home2.example' }]).profile.emails).toEqual([
      { value: 'ann@work.example', type: 'work', primary: true },
      { value: 'ann@home2.example', type: 'home' },
    ]);
  });

  it('add with a non-equality filter that matches nothing is noTarget', () => {
    expect(rejection([{ op: 'add', path: 'emails[value co "nowhere"].type', value: 'x' }])).toMatchObject({ scimType: 'noTarget' });
  });

  it('setting primary through a filter demotes the other values', () => {
    const result = patch([{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }]);
    expect(result.profile.emails).toEqual([
      { value: 'ann@work.example', type: 'work', primary: false },
      { value: 'ann@home.example', type: 'home', primary: true },
    ]);
  });

  it('remove with a filter removes the matching values; unassigned when none remain', () => {
    expect(patch([{ op: 'remove', path: 'emails[type eq "home"]' }]).profile.emails).toEqual([{ value: 'ann@work.example', type: 'work', primary: true }]);
    expect(patch([{ op: 'remove', path: 'addresses[type eq "work"]' }]).profile).not.toHaveProperty('addresses');
  });

  it('remove with a filter and a sub-attribute removes only that sub-attribute', () => {
    expect(patch([{ op: 'remove', path: 'emails[type eq "work"].primary' }]).profile.emails).toEqual([
      { value: 'ann@work.example', type: 'work' },
      { value: 'ann@home.example', type: 'home' },
    ]);
  });

  it('remove with a filter that matches nothing changes nothing', () => {
    expect(patch([{ op: 'remove', path: 'emails[type eq "other"]' }]).profile).toEqual(base.profile);
  });

  it.each([
    ['userName[value eq "x"]', 'invalidPath'],
    ['emails[foo eq "x"]', 'invalidPath'],
    ['emails[type eq "work"].foo', 'invalidPath'],
    ['emails[type gt true]', 'invalidPath'],
  ])('%s is 400 %s', (path, scimType) => {
    expect(rejection([{ op: 'replace', path, value: 'x' }])).toMatchObject({ status: 400, scimType });
  });
});

describe('applyUserPatch: enterprise extension and manager', () => {
  it('replace a URN-qualified enterprise attribute', () => {
    expect(patch([{ op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: '8' }]).profile[ENTERPRISE]).toEqual({
      employeeNumber: '8',
      manager: { value: 'm1', $ref: 'https://x/Users/m1' },
    });
  });

  it('Entra: Add manager with a bare string id', () => {
    const result = patch([{ op: 'Add', path: `${ENTERPRISE}:manager`, value: 'id-123' }]);
    expect(result.profile[ENTERPRISE]).toEqual({ employeeNumber: '7', manager: { value: 'id-123' } });
    expect(result.notes).toEqual([`bare-value-wrapped:${ENTERPRISE}:manager`]);
  });

  it('Entra: path "manager" with [{$ref, value}]', () => {
    const result = patch([{ op: 'Replace', path: 'manager', value: [{ $ref: 'https://x/Users/id-9', value: 'id-9' }] }]);
    expect(result.profile[ENTERPRISE]).toEqual({ employeeNumber: '7', manager: { value: 'id-9', $ref: 'https://x/Users/id-9' } });
    expect(result.notes).toEqual([`unqualified-extension-path:${ENTERPRISE}:manager`, `single-value-unwrapped:${ENTERPRISE}:manager`]);
  });

  it('keeps $ref when only the same manager value is re-sent', () => {
    expect(patch([{ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'm1' } }]).profile[ENTERPRISE]).toMatchObject({
      manager: { value: 'm1', $ref: 'https://x/Users/m1' },
    });
  });

  it('creates the extension when absent', () => {
    expect(patch([{ op: 'add', path: `${ENTERPRISE}:department`, value: 'Ops' }], { profile: { userName: 'u' }, active: true }).profile).toEqual({
      userName: 'u',
      [ENTERPRISE]: { department: 'Ops' },
    });
  });

  it('remove manager; the extension goes when emptied', () => {
    expect(patch([{ op: 'remove', path: `${ENTERPRISE}:manager` }]).profile[ENTERPRISE]).toEqual({ employeeNumber: '7' });
    expect(patch([{ op: 'remove', path: `${ENTERPRISE}:manager` }, { op: 'remove', path: `${ENTERPRISE}:employeeNumber` }]).profile).not.toHaveProperty(
      ENTERPRISE,
    );
  });

  it('remove the whole extension by its URN', () => {
    expect(patch([{ op: 'remove', path: ENTERPRISE }]).profile).not.toHaveProperty(ENTERPRISE);
  });

  it('an empty manager value unassigns it, bare or as {value: ""} or {value: null}', () => {
    for (const value of ['', { value: '' }, { value: null }, null]) {
      expect(patch([{ op: 'replace', path: `${ENTERPRISE}:manager`, value }]).profile[ENTERPRISE]).toEqual({ employeeNumber: '7' });
    }
  });

  it('a new manager value does not inherit the old $ref', () => {
    expect(patch([{ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'm2' } }]).profile[ENTERPRISE]).toEqual({ employeeNumber: '7', manager: { value: 'm2' } });
  });

  it('replace manager.displayName is mutability (read-only)', () => {
    expect(rejection([{ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'Boss' }])).toMatchObject({ scimType: 'mutability' });
  });
});

describe('applyUserPatch: path-less operations', () => {
  it('Entra: dotted keys, URN keys and booleans as strings', () => {
    const result = patch([
      {
        op: 'Replace',
        value: {
          'name.givenName': 'Anne',
          [`${ENTERPRISE}:employeeNumber`]: '99',
          'emails[type eq "work"].value': 'anne@work.example',
          active: 'False',
        },
      },
    ]);
    expect(result.profile.name).toEqual({ givenName: 'Anne', familyName: 'Lee' });
    expect(result.profile[ENTERPRISE]).toMatchObject({ employeeNumber: '99' });
    expect((result.profile.emails as { value: string }[])[0].value).toBe('anne@work.example');
    expect(result.active).toBe(false);
    expect(result.notes).toEqual([
      'pathless-path-key:name.givenName',
      `pathless-path-key:${ENTERPRISE}:employeeNumber`,
      // The filter's literal is cut: notes go into event metadata, which keeps no value.
      'pathless-path-key:emails[…].value',
      'boolean-from-string:active',
    ]);
  });

  it('the extension object as a key merges its attributes', () => {
    const result = patch([{ op: 'add', value: { [ENTERPRISE]: { department: 'Ops', manager: 'm2' } } }]);
    expect(result.profile[ENTERPRISE]).toEqual({ employeeNumber: '7', department: 'Ops', manager: { value: 'm2' } });
  });

  it('add of a complex attribute merges; add of a multi-valued one appends', () => {
    const result = patch([{ op: 'add', value: { name: { middleName: 'M' }, emails: [{ value: 'x@y' }] } }]);
    expect(result.profile.name).toEqual({ givenName: 'Ann', familyName: 'Lee', middleName: 'M' });
    expect(result.profile.emails).toHaveLength(3);
  });

  it('replace of a multi-valued attribute replaces its values', () => {
    expect(patch([{ op: 'replace', value: { emails: [{ value: 'x@y' }] } }]).profile.emails).toEqual([{ value: 'x@y' }]);
  });

  it('ignores read-only attributes inside the value (Okta id, meta), noted', () => {
    const result = patch([{ op: 'replace', value: { id: 'u1', meta: { resourceType: 'User' }, schemas: ['x'], groups: [], title: 'T' } }]);
    expect(result.profile.title).toBe('T');
    expect(result.notes).toEqual(['readonly-ignored:id', 'readonly-ignored:meta', 'readonly-ignored:schemas', 'readonly-ignored:groups']);
  });

  it('ignores unknown attributes inside the value, noted', () => {
    expect(patch([{ op: 'replace', value: { foo: 1, 'bad key': 2 } }]).notes).toEqual(['unknown-attribute-ignored:foo', 'unknown-attribute-ignored:…']);
  });

  it('discards a password, noted', () => {
    const result = patch([{ op: 'replace', value: { password: 'secret' } }, { op: 'replace', path: 'password', value: 'secret2' }]);
    expect(result.profile).not.toHaveProperty('password');
    expect(result.notes).toEqual(['password-discarded']);
  });

  it('needs an object value', () => {
    expect(rejection([{ op: 'replace', value: 'x' }])).toMatchObject({ scimType: 'invalidValue' });
  });
});

describe('applyUserPatch: refusals', () => {
  it.each([
    [{ op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    [{ op: 'remove', path: 'meta' }, 'mutability'],
    [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }, 'mutability'],
    [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }, 'mutability'],
    [{ op: 'remove', path: 'userName' }, 'invalidValue'],
    [{ op: 'replace', path: 'userName', value: '' }, 'invalidValue'],
    [{ op: 'replace', path: 'userName', value: null }, 'invalidValue'],
    [{ op: 'replace', path: 'userName', value: 5 }, 'invalidValue'],
    [{ op: 'replace', path: 'foo', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'members[value eq "x"]', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: `${ENTERPRISE}:foo`, value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'emails', value: [{ value: 5 }] }, 'invalidValue'],
  ])('%j is 400 %s', (operation, scimType) => {
    const error = rejection([operation]);
    expect(error).toMatchObject({ status: 400, scimType });
    expect(error.detail.length).toBeGreaterThan(10);
  });

  it('says why removing userName is refused', () => {
    expect(rejection([{ op: 'remove', path: 'userName' }]).detail).toBe('Attribute "userName" is required and cannot be removed');
  });

    it('is atomic: one failing operation fails the request (nothing is returned)', () => {
    expect(() => patch([{ op: 'replace', path: 'title', value: 'ok' }, { op: 'replace', path: 'id', value: 'x' }])).toThrow(ScimError);
  });

  it('renames userName', () => {
    expect(patch([{ op: 'replace', path: 'userName', value: 'new@example.com' }]).profile.userName).toBe('new@example.com');
  });
});

describe('applyUserPatch: resource limits', () => {
  it('refuses a value over the limit, and values added one operation at a time past the count limit', () => {
    expect(rejection([{ op: 'replace', path: 'displayName', value: 'x'.repeat(RESOURCE_LIMITS.maxStringLength + 1) }])).toMatchObject({
      status: 400,
      scimType: 'invalidValue',
    });
    const adds = Array.from({ length: RESOURCE_LIMITS.maxValues + 1 }, (_, i) => ({ op: 'add', path: 'phoneNumbers', value: [{ value: `+1 555 ${i}` }] }));
    expect(rejection(adds).detail).toContain(`the limit is ${RESOURCE_LIMITS.maxValues}`);
  });
});
