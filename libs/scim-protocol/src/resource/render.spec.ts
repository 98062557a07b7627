import { renderGroup, renderUser } from './render';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const base = 'https://scim.example.com/scim/v2/a1';
const meta = { created: '2024-01-01T00:00:00.000Z', lastModified: '2024-02-01T00:00:00.000Z', version: 3 };

describe('renderUser', () => {
  it('renders schemas, id, profile, active and meta with location and weak version', () => {
    expect(renderUser({ id: 'u1', profile: { userName: 'ann', externalId: 'e1', name: { givenName: 'Ann' } }, active: false, meta }, base)).toEqual({
      schemas: [CORE],
      id: 'u1',
      externalId: 'e1',
      userName: 'ann',
      name: { givenName: 'Ann' },
      active: false,
      meta: { resourceType: 'User', created: meta.created, lastModified: meta.lastModified, location: `${base}/Users/u1`, version: 'W/"3"' },
    });
  });

  it('lists the enterprise URN in schemas only when the profile has the extension', () => {
    const user = renderUser({ id: 'u1', profile: { userName: 'ann', [ENTERPRISE]: { department: 'Ops' } }, active: true, meta }, base);
    expect(user.schemas).toEqual([CORE, ENTERPRISE]);
    expect(user[ENTERPRISE]).toEqual({ department: 'Ops' });
  });

  it('whitelists schema attributes: nothing internal or secret leaks', () => {
    const user = renderUser({ id: 'u1', profile: { userName: 'ann', password: 'x', internalFlag: 1, id: 'spoof' }, active: true, meta }, base);
    expect(Object.keys(user)).toEqual(['schemas', 'id', 'userName', 'active', 'meta']);
    expect(user.id).toBe('u1');
  });

  it('renders groups with $ref when given', () => {
    const user = renderUser({ id: 'u1', profile: { userName: 'ann' }, active: true, meta, groups: [{ value: 'g1', display: 'Eng' }] }, base);
    expect(user.groups).toEqual([{ value: 'g1', $ref: `${base}/Groups/g1`, display: 'Eng', type: 'direct' }]);
  });

  it('returns a copy: mutating the result leaves the profile alone', () => {
    const profile = { userName: 'ann', emails: [{ value: 'a@x' }] };
    const user = renderUser({ id: 'u1', profile, active: true, meta }, base);
    (user.emails as { value: string }[])[0].value = 'changed';
    expect(profile.emails[0].value).toBe('a@x');
  });
});

describe('renderGroup', () => {
  it('renders members with $ref by type, and meta', () => {
    expect(
      renderGroup({ id: 'g1', profile: { displayName: 'Eng', externalId: 'x' }, members: [{ value: 'u1', display: 'Ann' }, { value: 'g2', type: 'Group' }], meta }, base),
    ).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      id: 'g1',
      externalId: 'x',
      displayName: 'Eng',
      members: [
        { value: 'u1', $ref: `${base}/Users/u1`, display: 'Ann' },
        { value: 'g2', $ref: `${base}/Groups/g2`, type: 'Group' },
      ],
      meta: { resourceType: 'Group', created: meta.created, lastModified: meta.lastModified, location: `${base}/Groups/g1`, version: 'W/"3"' },
    });
  });

  it('omits members when not loaded or empty', () => {
    expect(renderGroup({ id: 'g1', profile: { displayName: 'Eng' }, members: undefined, meta }, base)).not.toHaveProperty('members');
    expect(renderGroup({ id: 'g1', profile: { displayName: 'Eng' }, members: [], meta }, base)).not.toHaveProperty('members');
  });
});
