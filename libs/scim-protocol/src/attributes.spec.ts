import { renderGroup, renderUser } from './resource/render';
import { groupResourceSchema, userResourceSchema } from './schema/resource-schema';
import { selectAttributes } from './attributes';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const meta = { created: '2024-01-01T00:00:00.000Z', lastModified: '2024-01-01T00:00:00.000Z', version: 1 };

const user = renderUser(
  {
    id: 'u1',
    profile: {
      externalId: 'e1',
      userName: 'ann',
      name: { givenName: 'Ann', familyName: 'Lee' },
      emails: [
        { value: 'a@x', type: 'work', primary: true },
        { value: 'b@y', type: 'home' },
      ],
      [ENTERPRISE]: { employeeNumber: '7', department: 'Ops' },
    },
    active: true,
    meta,
  },
  'https://x',
);

describe('selectAttributes with attributes', () => {
  it('keeps only the listed attributes plus id and schemas (returned always)', () => {
    expect(selectAttributes(user, userResourceSchema, { attributes: ['userName'] })).toEqual({ schemas: [CORE, ENTERPRISE], id: 'u1', userName: 'ann' });
  });

  it('is case-insensitive and supports sub-attributes of single and multi-valued attributes', () => {
    expect(selectAttributes(user, userResourceSchema, { attributes: ['NAME.givenname', 'emails.value', 'emails.TYPE'] })).toEqual({
      schemas: [CORE, ENTERPRISE],
      id: 'u1',
      name: { givenName: 'Ann' },
      emails: [
        { value: 'a@x', type: 'work' },
        { value: 'b@y', type: 'home' },
      ],
    });
  });

  it('supports URN-qualified paths and whole extensions', () => {
    expect(selectAttributes(user, userResourceSchema, { attributes: [`${ENTERPRISE}:employeeNumber`, `${CORE}:userName`] })).toMatchObject({
      userName: 'ann',
      [ENTERPRISE]: { employeeNumber: '7' },
    });
    expect(selectAttributes(user, userResourceSchema, { attributes: [ENTERPRISE] })[ENTERPRISE]).toEqual({ employeeNumber: '7', department: 'Ops' });
  });

  it('selects meta and its sub-attributes only when asked', () => {
    expect(selectAttributes(user, userResourceSchema, { attributes: ['userName'] })).not.toHaveProperty('meta');
    expect(selectAttributes(user, userResourceSchema, { attributes: ['meta.version'] }).meta).toEqual({ version: 'W/"1"' });
  });

  it('ignores unknown names', () => {
    expect(selectAttributes(user, userResourceSchema, { attributes: ['foo', 'name.foo'] })).toEqual({ schemas: [CORE, ENTERPRISE], id: 'u1' });
  });
});

describe('selectAttributes with excludedAttributes', () => {
  it('removes the listed attributes but never id or schemas', () => {
    const out = selectAttributes(user, userResourceSchema, { excludedAttributes: ['emails', 'id', 'schemas', 'meta'] });
    expect(Object.keys(out)).toEqual(['schemas', 'id', 'externalId', 'userName', 'name', 'active', ENTERPRISE]);
  });

  it('removes sub-attributes and extension attributes', () => {
    const out = selectAttributes(user, userResourceSchema, { excludedAttributes: ['name.familyName', 'emails.primary', `${ENTERPRISE}:department`] });
    expect(out.name).toEqual({ givenName: 'Ann' });
    expect(out.emails).toEqual([
      { value: 'a@x', type: 'work' },
      { value: 'b@y', type: 'home' },
    ]);
    expect(out[ENTERPRISE]).toEqual({ employeeNumber: '7' });
  });

  it('Entra reads groups with excludedAttributes=members', () => {
    const group = renderGroup({ id: 'g1', profile: { displayName: 'Eng' }, members: [{ value: 'u1' }], meta }, 'https://x');
    expect(selectAttributes(group, groupResourceSchema, { excludedAttributes: ['members'] })).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      id: 'g1',
      displayName: 'Eng',
      meta: group.meta,
    });
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(user);
    selectAttributes(user, userResourceSchema, { excludedAttributes: ['name.givenName', ENTERPRISE] });
    selectAttributes(user, userResourceSchema, { attributes: ['emails.value'] });
    expect(JSON.stringify(user)).toBe(before);
  });
});

it('returns everything but "never" attributes without a selection', () => {
  expect(selectAttributes({ ...user, password: 'x' }, userResourceSchema, {})).toEqual(user);
});
