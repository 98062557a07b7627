import { normalizeGroupProfile } from './group-profile';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('normalizeGroupProfile', () => {
  it('reads displayName, externalId and member values', () => {
    expect(
      normalizeGroupProfile({
        schemas: [GROUP],
        displayName: 'Engineering',
        externalId: 'eng',
        members: [{ value: 'u1', display: 'Ann' }, { value: 'u2', $ref: 'https://x/Users/u2' }, { value: 'u1' }],
      }),
    ).toEqual({ profile: { displayName: 'Engineering', externalId: 'eng' }, members: ['u1', 'u2'], notes: ['readonly-ignored:members.display'] });
  });

  it('accepts Entra: an extra Microsoft schema URN and no members', () => {
    expect(
      normalizeGroupProfile({ schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], externalId: '8aa1', displayName: 'Group1', members: [] }),
    ).toEqual({
      profile: { displayName: 'Group1', externalId: '8aa1' },
      members: [],
      notes: ['unknown-schema-ignored:http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group', 'empty-dropped:members'],
    });
  });

  it('ignores id and meta (Okta PUT)', () => {
    expect(normalizeGroupProfile({ schemas: [GROUP], id: 'g1', meta: { resourceType: 'Group' }, displayName: 'G' })).toEqual({
      profile: { displayName: 'G' },
      members: [],
      notes: ['readonly-ignored:id', 'readonly-ignored:meta'],
    });
  });

  it.each([
    [{ schemas: [GROUP] }, 'invalidValue'],
    [{ schemas: [GROUP], displayName: '' }, 'invalidValue'],
    [{ schemas: [GROUP], displayName: 3 }, 'invalidValue'],
    [{ schemas: [GROUP], displayName: 'G', members: [{ display: 'no value' }] }, 'invalidValue'],
    [{ schemas: [GROUP], displayName: 'G', members: [{ value: 4 }] }, 'invalidValue'],
    [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], displayName: 'G' }, 'invalidSyntax'],
    [[], 'invalidSyntax'],
  ])('rejects %j with %s', (body, scimType) => {
    expect(() => normalizeGroupProfile(body)).toThrow(expect.objectContaining({ status: 400, scimType }));
  });
});
