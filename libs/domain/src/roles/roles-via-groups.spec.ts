import { affectsRoles, roleReactions } from './roles-via-groups';

const at = '2026-02-01T00:00:00.000Z';
const facts = (roles: string[], members: string[] = []) => ({ roles, members: () => new Set(members) });

describe('roles-via-groups process', () => {
  it('grants the mapped roles to added members', async () => {
    const reactions = await roleReactions({ type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['u1', 'u2'], addedAt: at } }, facts(['dev']), at);
    expect(reactions).toEqual([
      { userId: 'u1', command: { type: 'GrantRolesViaGroup', groupId: 'g1', roles: ['dev'], at } },
      { userId: 'u2', command: { type: 'GrantRolesViaGroup', groupId: 'g1', roles: ['dev'], at } },
    ]);
    expect(await roleReactions({ type: 'GroupMembersAdded', data: { groupId: 'g1', accountId: 'a1', members: ['u1'], addedAt: at } }, facts([]), at)).toEqual([]);
  });

  it('revokes everything the group granted from removed members', async () => {
    expect(await roleReactions({ type: 'GroupMembersRemoved', data: { groupId: 'g1', accountId: 'a1', members: ['u1'], removedAt: at } }, facts(['dev']), at)).toEqual([
      { userId: 'u1', command: { type: 'RevokeRolesViaGroup', groupId: 'g1', reason: 'membership-removed', at } },
    ]);
  });

  it('on a mapping change grants the new mapping and revokes dropped roles from every member', async () => {
    const reactions = await roleReactions(
      { type: 'GroupRoleMappingChanged', data: { groupId: 'g1', roles: ['ops'], previousRoles: ['dev', 'ops'], changedAt: at } },
      facts(['ops'], ['u1']),
      at,
    );
    expect(reactions).toEqual([
      { userId: 'u1', command: { type: 'GrantRolesViaGroup', groupId: 'g1', roles: ['ops'], at } },
      { userId: 'u1', command: { type: 'RevokeRolesViaGroup', groupId: 'g1', roles: ['dev'], reason: 'mapping-changed', at } },
    ]);
  });

  it('on deletion revokes the group roles of every member', async () => {
    expect(await roleReactions({ type: 'GroupDeleted', data: { groupId: 'g1', deletedAt: at } }, facts(['dev'], ['u1', 'u2']), at)).toHaveLength(2);
  });

  it('ignores renames', async () => {
    const rename = { type: 'GroupRenamed', data: { groupId: 'g1', displayName: 'x', renamedAt: at } } as const;
    expect(affectsRoles(rename)).toBe(false);
    expect(await roleReactions(rename, facts(['dev'], ['u1']), at)).toEqual([]);
  });
});
