import { specFor } from '../testing/decider-spec';
import { decideDeletedUserRemoval, decideMembershipChange, membersOf, membershipReplacement, splitMembershipEvents, type GroupMembershipEvent } from './group-membership';
import { groupDecider, type GroupEvent, type GroupState } from './group';
import { fold } from '../decider';

const spec = specFor(groupDecider);
const at = '2026-02-01T00:00:00.000Z';
const created = (source: 'SCIM' | 'Platform' = 'SCIM'): GroupEvent => ({
  type: 'GroupCreated',
  data: { groupId: 'g1', accountId: 'a1', displayName: 'Engineering', externalId: 'ext-1', source, createdAt: at },
});

describe('group decider', () => {
  it('creates a group with its source', () =>
    spec
      .given([])
      .when({ type: 'CreateGroup', groupId: 'g1', accountId: 'a1', displayName: 'Engineering', externalId: 'ext-1', source: 'SCIM', at })
      .then([created()]));

  it('records the revision its initial members, written before it, reached', () => {
    spec
      .given([])
      .when({ type: 'CreateGroup', groupId: 'g1', accountId: 'a1', displayName: 'Engineering', externalId: 'ext-1', source: 'SCIM', membersRevision: 2, at })
      .then([{ type: 'GroupCreated', data: { ...created().data, membersRevision: 2 } as Extract<GroupEvent, { type: 'GroupCreated' }>['data'] }]);
    spec
      .given([])
      .when({ type: 'CreateGroup', groupId: 'g1', accountId: 'a1', displayName: 'Engineering', externalId: 'ext-1', source: 'SCIM', membersRevision: -1, at })
      .then([created()]);
  });

  it('refuses to create a group twice', () =>
    spec
      .given([created()])
      .when({ type: 'CreateGroup', groupId: 'g1', accountId: 'a1', displayName: 'Engineering', source: 'SCIM', at })
      .thenRejects('group_already_exists'));

  it('renames, and changes externalId only when given and different', () => {
    spec
      .given([created()])
      .when({ type: 'UpdateGroup', accountId: 'a1', by: 'scim', displayName: 'Eng', at })
      .then([{ type: 'GroupRenamed', data: { groupId: 'g1', displayName: 'Eng', renamedAt: at } }]);
    spec.given([created()]).when({ type: 'UpdateGroup', accountId: 'a1', by: 'scim', displayName: 'Engineering', externalId: 'ext-1', at }).then([]);
    spec
      .given([created()])
      .when({ type: 'UpdateGroup', accountId: 'a1', by: 'scim', displayName: 'Engineering', externalId: null, at })
      .then([{ type: 'GroupExternalIdChanged', data: { groupId: 'g1', externalId: null, changedAt: at } }]);
  });

  it('keeps the IdP to SCIM groups and administrators to Platform groups', () => {
    spec.given([created('Platform')]).when({ type: 'UpdateGroup', accountId: 'a1', by: 'scim', displayName: 'x', at }).thenRejects('group_not_managed_by_scim');
    spec.given([created('Platform')]).when({ type: 'DeleteGroup', accountId: 'a1', by: 'scim', at }).thenRejects('group_not_managed_by_scim');
    spec.given([created('SCIM')]).when({ type: 'DeleteGroup', accountId: 'a1', by: 'admin', at }).thenRejects('group_managed_by_scim');
    spec.given([created('SCIM')]).when({ type: 'DeleteGroup', accountId: 'a2', by: 'scim', at }).thenRejects('group_not_found');
  });

  it('maps a group to catalogue roles, recording the previous mapping', () => {
    const mapped: GroupEvent = { type: 'GroupRoleMappingChanged', data: { groupId: 'g1', roles: ['admin', 'dev'], previousRoles: [], changedAt: at } };
    spec.given([created()]).when({ type: 'MapGroupToRoles', accountId: 'a1', roles: ['dev', 'admin', 'dev'], knownRoles: ['admin', 'dev'], at }).then([mapped]);
    spec.given([created(), mapped]).when({ type: 'MapGroupToRoles', accountId: 'a1', roles: ['admin', 'dev'], knownRoles: ['admin', 'dev'], at }).then([]);
    spec.given([created()]).when({ type: 'MapGroupToRoles', accountId: 'a1', roles: ['root'], knownRoles: ['admin'], at }).thenRejects('unknown_role');
  });

  it('deletes once; a deleted group is not found', () => {
    const deleted: GroupEvent = { type: 'GroupDeleted', data: { groupId: 'g1', deletedAt: at } };
    spec.given([created()]).when({ type: 'DeleteGroup', accountId: 'a1', by: 'scim', at }).then([deleted]);
    spec.given([created(), deleted]).when({ type: 'DeleteGroup', accountId: 'a1', by: 'scim', at }).thenRejects('group_not_found');
  });
});

describe('group membership deltas', () => {
  const group = fold(groupDecider, [created()]) as GroupState;

  it('records removals, then additions, deduplicated, without reading the member list', () => {
    expect(decideMembershipChange({ type: 'ChangeGroupMembers', accountId: 'a1', by: 'scim', remove: ['u1', 'u1'], add: ['u2', 'u3', 'u2'], at }, group)).toEqual([
      { type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: 'a1', members: ['u1'], removedAt: at } },
      { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['u2', 'u3'], addedAt: at } },
    ]);
    expect(decideMembershipChange({ type: 'ChangeGroupMembers', accountId: 'a1', by: 'scim', remove: [], add: [], at }, group)).toEqual([]);
  });

  it('refuses membership changes on a missing group or by the wrong actor', () => {
    expect(() => decideMembershipChange({ type: 'ChangeGroupMembers', accountId: 'a1', by: 'scim', remove: [], add: ['u'], at }, { status: 'absent' })).toThrow('Group not found');
    expect(() => decideMembershipChange({ type: 'ChangeGroupMembers', accountId: 'a1', by: 'admin', remove: [], add: ['u'], at }, group)).toThrow(/identity provider/);
  });

  it('takes a deleted user out of SCIM and Platform groups alike', () => {
    const removed = { type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: 'a1', members: ['u1'], removedAt: at } };
    const command = { type: 'RemoveDeletedUser', accountId: 'a1', userId: 'u1', at } as const;
    expect(decideDeletedUserRemoval(command, group)).toEqual([removed]);
    expect(decideDeletedUserRemoval(command, fold(groupDecider, [created('Platform')]) as GroupState)).toEqual([removed]);
  });

  it('leaves a deleted group, or a group of another account, alone', () => {
    const command = { type: 'RemoveDeletedUser', accountId: 'a1', userId: 'u1', at } as const;
    const deleted = fold(groupDecider, [created(), { type: 'GroupDeleted', data: { groupId: 'g1', deletedAt: at } }]) as GroupState;
    expect(decideDeletedUserRemoval(command, deleted)).toEqual([]);
    expect(decideDeletedUserRemoval(command, { status: 'absent' })).toEqual([]);
    expect(decideDeletedUserRemoval({ ...command, accountId: 'a2' }, group)).toEqual([]);
  });

  it('replaces the member list by the deltas to the desired one', () => {
    expect(membershipReplacement(new Set(['u1', 'u2', 'u3']), ['u3', 'u4', 'u4', 'u1'])).toEqual({ add: ['u4'], remove: ['u2'] });
    expect(membershipReplacement(new Set(['u1']), ['u1'])).toEqual({ add: [], remove: [] });
    expect(membershipReplacement(new Set(), [])).toEqual({ add: [], remove: [] });
  });

  it('splits deltas by the JSON size of their member lists, keeping their order', () => {
    const removed: GroupMembershipEvent = { type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: 'a1', members: ['r1'], removedAt: at } };
    const added: GroupMembershipEvent = { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['u1', 'u2', 'u3', 'ü4', 'u5'], addedAt: at } };
    // '["u1","u2"]' is 11 bytes; '["ü4"]' is 7 (ü is two bytes in UTF-8).
    const parts = splitMembershipEvents([removed, added], 11);
    expect(parts.map((p) => [p.type, p.data.members])).toEqual([
      ['GroupMembersRemoved', ['r1']],
      ['GroupMembersAdded', ['u1', 'u2']],
      ['GroupMembersAdded', ['u3']],
      ['GroupMembersAdded', ['ü4']],
      ['GroupMembersAdded', ['u5']],
    ]);
    for (const part of parts) expect(new TextEncoder().encode(JSON.stringify(part.data.members)).length).toBeLessThanOrEqual(11);
    expect(parts[1].data).toEqual({ ...added.data, members: ['u1', 'u2'] });
    expect(splitMembershipEvents([added], 1_000)).toEqual([added]);
  });

  it('counts every character by its UTF-8 size', () => {
    const members = ['ab', 'é', '€', '😀', 'a😀é€'];
    const added: GroupMembershipEvent = { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members, addedAt: at } };
    // With a budget of exactly one member's list (its JSON bytes), two of it make two parts.
    for (const member of members) {
      const size = new TextEncoder().encode(JSON.stringify([member])).length;
      const parts = splitMembershipEvents([{ ...added, data: { ...added.data, members: [member, member] } }], size);
      expect(parts.map((p) => p.data.members)).toEqual([[member], [member]]);
      expect(splitMembershipEvents([{ ...added, data: { ...added.data, members: [member, member] } }], size * 2)).toHaveLength(1);
    }
  });

  it('keeps a member that alone exceeds the budget in a part of its own rather than dropping it', () => {
    const added: GroupMembershipEvent = { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['a-long-id', 'u'], addedAt: at } };
    expect(splitMembershipEvents([added], 5).map((p) => p.data.members)).toEqual([['a-long-id'], ['u']]);
  });

  it('folds deltas into the current members', () => {
    expect([
      ...membersOf([
        { type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['u1', 'u2', 'u3'], addedAt: at } },
        { type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: 'a1', members: ['u2', 'u9'], removedAt: at } },
      ]),
    ]).toEqual(['u1', 'u3']);
  });
});
