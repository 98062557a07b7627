import { ScimError } from '../scim-error';
import { parsePatchRequest } from './patch-request';
import { planGroupPatch } from './group-patch';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const current = { displayName: 'Engineering', externalId: 'eng' };

const plan = (operations: unknown[], group: { displayName: string; externalId?: string } = current) =>
  planGroupPatch(group, parsePatchRequest({ schemas: [PATCH], Operations: operations }));

const unchanged = { profile: undefined, membersAdded: [], membersRemoved: [], removeAllMembers: false, notes: [] };

describe('planGroupPatch: membership as deltas', () => {
  it('add members [{value}] → added', () => {
    expect(plan([{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'Ann' }, { value: 'u2' }] }])).toEqual({
      ...unchanged,
      membersAdded: ['u1', 'u2'],
      notes: ['readonly-ignored:members.display'],
    });
  });

  it('Entra: capitalised ops', () => {
    expect(plan([{ op: 'Add', path: 'members', value: [{ value: 'u1' }] }]).membersAdded).toEqual(['u1']);
  });

  it('remove members[value eq "x"] → removed', () => {
    expect(plan([{ op: 'remove', path: 'members[value eq "u1"]' }])).toEqual({ ...unchanged, membersRemoved: ['u1'] });
  });

  it('remove with a filter joining several values with or', () => {
    expect(plan([{ op: 'remove', path: 'members[value eq "u1" or value eq "u2"]' }]).membersRemoved).toEqual(['u1', 'u2']);
  });

  it('Entra/JumpCloud: remove members with a value list removes only those, noted', () => {
    expect(plan([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }])).toEqual({
      ...unchanged,
      membersRemoved: ['u1', 'u2'],
      notes: ['entra-member-remove-list'],
    });
  });

  it('remove members without value → removeAllMembers', () => {
    expect(plan([{ op: 'remove', path: 'members' }])).toEqual({ ...unchanged, removeAllMembers: true });
  });

  it('replace members → removeAllMembers + added', () => {
    expect(plan([{ op: 'replace', path: 'members', value: [{ value: 'u3' }] }])).toEqual({ ...unchanged, removeAllMembers: true, membersAdded: ['u3'] });
    expect(plan([{ op: 'replace', path: 'members', value: [] }])).toMatchObject({ removeAllMembers: true, membersAdded: [] });
  });

  it('path-less add with {members: [...]}', () => {
    expect(plan([{ op: 'add', value: { members: [{ value: 'u1' }] } }])).toMatchObject({ membersAdded: ['u1'], removeAllMembers: false });
  });

  it('path-less replace with {members: [...]} replaces all', () => {
    expect(plan([{ op: 'replace', value: { members: [{ value: 'u1' }] } }])).toMatchObject({ membersAdded: ['u1'], removeAllMembers: true });
  });

  it('Okta: one request mixing remove by filter and add', () => {
    expect(
      plan([
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'add', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }] },
      ]),
    ).toEqual({ ...unchanged, membersRemoved: ['u1'], membersAdded: ['u2', 'u3'] });
  });

  it('a member added then removed in the same request ends removed', () => {
    expect(plan([{ op: 'add', path: 'members', value: [{ value: 'u1' }] }, { op: 'remove', path: 'members[value eq "u1"]' }])).toMatchObject({
      membersAdded: [],
      membersRemoved: ['u1'],
    });
  });

  it('a member removed then added in the same request ends added', () => {
    expect(plan([{ op: 'remove', path: 'members[value eq "u1"]' }, { op: 'add', path: 'members', value: [{ value: 'u1' }] }])).toMatchObject({
      membersAdded: ['u1'],
      membersRemoved: [],
    });
  });

  it('after remove-all, removing a member only cancels its pending add', () => {
    expect(
      plan([
        { op: 'replace', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] },
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'remove', path: 'members[value eq "u9"]' },
      ]),
    ).toEqual({ ...unchanged, removeAllMembers: true, membersAdded: ['u2'], membersRemoved: [] });
  });

  it('remove-all after adds discards them', () => {
    expect(plan([{ op: 'add', path: 'members', value: [{ value: 'u1' }] }, { op: 'remove', path: 'members' }])).toEqual({ ...unchanged, removeAllMembers: true });
  });

  it('accepts a bare member id, noted', () => {
    expect(plan([{ op: 'add', path: 'members', value: 'u1' }])).toEqual({ ...unchanged, membersAdded: ['u1'], notes: ['bare-value-wrapped:members'] });
  });

  it('duplicate member values count once', () => {
    expect(plan([{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u1' }] }]).membersAdded).toEqual(['u1']);
  });
});

describe('planGroupPatch: attributes', () => {
  it('Okta rename: path-less replace with {id, displayName}; id ignored and noted', () => {
    expect(plan([{ op: 'replace', value: { id: 'g1', displayName: 'Platform' } }])).toEqual({
      ...unchanged,
      profile: { displayName: 'Platform', externalId: 'eng' },
      notes: ['readonly-ignored:id'],
    });
  });

  it('replace displayName with a path', () => {
    expect(plan([{ op: 'Replace', path: 'displayName', value: 'Platform' }]).profile).toEqual({ displayName: 'Platform', externalId: 'eng' });
  });

  it('profile is undefined when nothing changes', () => {
    expect(plan([{ op: 'replace', path: 'displayName', value: 'Engineering' }]).profile).toBeUndefined();
  });

  it('set and remove externalId', () => {
    expect(plan([{ op: 'remove', path: 'externalId' }]).profile).toEqual({ displayName: 'Engineering' });
    expect(plan([{ op: 'add', path: 'externalId', value: 'x1' }], { displayName: 'G' }).profile).toEqual({ displayName: 'G', externalId: 'x1' });
  });

  it('ignores unknown attributes in a path-less value, noted', () => {
    expect(plan([{ op: 'replace', value: { displayName: 'Engineering', foo: 1 } }])).toEqual({ ...unchanged, notes: ['unknown-attribute-ignored:foo'] });
  });
});

describe('planGroupPatch: refusals', () => {
  it.each([
    [{ op: 'remove', path: 'displayName' }, 'invalidValue'],
    [{ op: 'replace', path: 'displayName', value: '' }, 'invalidValue'],
    [{ op: 'replace', path: 'displayName', value: 7 }, 'invalidValue'],
    [{ op: 'replace', path: 'id', value: 'g2' }, 'mutability'],
    [{ op: 'remove', path: 'meta' }, 'mutability'],
    [{ op: 'replace', path: 'members[value eq "u1"]', value: { value: 'u2' } }, 'mutability'],
    [{ op: 'add', path: 'members[value eq "u1"]', value: { value: 'u1' } }, 'invalidPath'],
    [{ op: 'remove', path: 'members[type eq "User"]' }, 'invalidPath'],
    [{ op: 'remove', path: 'members[value eq "u1" and type eq "User"]' }, 'invalidPath'],
    [{ op: 'remove', path: 'members.value' }, 'invalidPath'],
    [{ op: 'replace', path: 'userName', value: 'x' }, 'invalidPath'],
    [{ op: 'add', path: 'members', value: [{ display: 'no value' }] }, 'invalidValue'],
    [{ op: 'add', path: 'members', value: 5 }, 'invalidValue'],
    [{ op: 'replace', value: 'Platform' }, 'invalidValue'],
  ])('%j is 400 %s', (operation, scimType) => {
    let error: unknown;
    try {
      plan([operation]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType });
  });
});
