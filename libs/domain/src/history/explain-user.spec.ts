import type { GroupEvent } from '../groups/group';
import type { GroupMembershipEvent } from '../groups/group-membership';
import type { RoleRevocationReason, UserEvent } from '../users/user.events';
import { effectiveRoles, heldRoles, userAsOf } from './access-as-of';
import { explainUser, groupsReferenced, type UserExplanation } from './explain-user';
import { type HistoryEntry } from './history-entry';
import { admin, historyRecorder, rolesProcess, stepFor, token } from './history.fixtures';

const A = 'acct-1';
const U = 'u1';
const profile = { userName: 'grace@acme.com' };
const t = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const idp = token('tok-1');
const alice = admin('key-alice');
const bob = admin('key-bob');

/** A recorder with the vocabulary of the scenario: requests and the process's reactions to them. */
function scenario() {
  const h = historyRecorder();
  const user = (event: UserEvent, at: string, actor = idp, correlationId = `req-${at}`) => h.record(`user-${U}`, event, { at, actor, correlationId });
  const group = (groupId: string, event: GroupEvent, at: string, actor = idp) => h.record(`group-${groupId}`, event, { at, actor, correlationId: `req-${groupId}-${event.type}-${at}` });
  const members = (groupId: string, event: GroupMembershipEvent, at: string, actor = idp) =>
    h.record(`groupmembers-${groupId}`, event, { at, actor, correlationId: `req-${groupId}-${event.type}-${at}` });
  /** What the roles-via-groups process writes in reaction to a group event (same time and request). */
  const grant = (cause: HistoryEntry, role: string, groupId: string) =>
    h.record(`user-${U}`, { type: 'RoleGrantedViaGroup', data: { userId: U, role, groupId, grantedAt: cause.occurredAt } } satisfies UserEvent, {
      at: cause.occurredAt,
      actor: rolesProcess,
      correlationId: cause.correlationId,
      causationId: cause.eventId,
    });
  const revoke = (cause: HistoryEntry, role: string, groupId: string, reason: RoleRevocationReason) =>
    h.record(`user-${U}`, { type: 'RoleRevokedViaGroup', data: { userId: U, role, groupId, reason, revokedAt: cause.occurredAt } } satisfies UserEvent, {
      at: cause.occurredAt,
      actor: rolesProcess,
      correlationId: cause.correlationId,
      causationId: cause.eventId,
    });
  const createGroup = (groupId: string, displayName: string, at: string) =>
    group(groupId, { type: 'GroupCreated', data: { groupId, accountId: A, displayName, source: 'SCIM', createdAt: at } }, at);
  const map = (groupId: string, roles: string[], previousRoles: string[], at: string, actor = alice) =>
    group(groupId, { type: 'GroupRoleMappingChanged', data: { groupId, roles, previousRoles, changedAt: at } }, at, actor);
  const add = (groupId: string, at: string) => members(groupId, { type: 'GroupMembersAdded', data: { groupId, accountId: A, members: [U], addedAt: at } }, at);
  const remove = (groupId: string, at: string) => members(groupId, { type: 'GroupMembersRemoved', data: { groupId, accountId: A, members: [U], removedAt: at } }, at);
  const explain = (asOf?: string, ...groupIds: string[]) => explainUser(h.userHistory(U), h.groupHistories(...groupIds), asOf);
  return { h, user, group, grant, revoke, createGroup, map, add, remove, explain };
}

/** The acceptance story: manual user with a manual role, converted, two group roles, one group left. */
function acceptanceStory() {
  const s = scenario();
  const created = s.user({ type: 'ManualUserCreated', data: { userId: U, accountId: A, profile, createdAt: t(1) } }, t(1), alice);
  const assigned = s.user({ type: 'RoleAssignedManually', data: { userId: U, role: 'billing', assignedAt: t(2) } }, t(2), alice);
  const converted = s.user(
    { type: 'UserConvertedToScim', data: { userId: U, accountId: A, profile, active: true, preExistingRoles: ['billing'], convertedAt: t(3) } },
    t(3),
  );
  s.createGroup('eng', 'Engineering', t(4));
  s.createGroup('ops', 'Operations', t(4));
  const mappedEng = s.map('eng', ['developer'], [], t(5));
  const mappedOps = s.map('ops', ['ops'], [], t(5), bob);
  const addedEng = s.add('eng', t(6));
  const grantedDev = s.grant(addedEng, 'developer', 'eng');
  const addedOps = s.add('ops', t(7));
  const grantedOps = s.grant(addedOps, 'ops', 'ops');
  const removedOps = s.remove('ops', t(8));
  const revokedOps = s.revoke(removedOps, 'ops', 'ops', 'membership-removed');
  return { s, created, assigned, converted, mappedEng, mappedOps, addedEng, grantedDev, addedOps, grantedOps, removedOps, revokedOps };
}

describe('history: explain a user', () => {
  it('explains every held role with its provenance chain, and the role no longer held', () => {
    const story = acceptanceStory();
    const explanation = story.s.explain(undefined, 'eng', 'ops') as UserExplanation;

    expect(explanation).toMatchObject({ userId: U, accountId: A, userName: 'grace@acme.com', source: 'scim', status: 'active', asOf: null });
    expect(explanation.created).toEqual(stepFor(story.created));
    expect(explanation.converted).toEqual(stepFor(story.converted));
    expect(explanation.effectiveRoles).toEqual(['billing', 'developer']);
    expect(explanation.roles).toEqual([
      {
        role: 'billing',
        effective: true,
        sources: [{ kind: 'pre-existing-at-conversion', assigned: stepFor(story.assigned), converted: stepFor(story.converted) }],
        ended: [],
      },
      {
        role: 'developer',
        effective: true,
        sources: [
          {
            kind: 'group',
            group: { groupId: 'eng', displayName: 'Engineering', status: 'live' },
            granted: stepFor(story.grantedDev),
            trigger: 'membership-added',
            membership: stepFor(story.addedEng),
            mapping: { ...stepFor(story.mappedEng), roles: ['developer'] },
          },
        ],
        ended: [],
      },
    ]);
    expect(explanation.formerRoles).toEqual([
      {
        role: 'ops',
        ended: [
          {
            kind: 'group',
            group: { groupId: 'ops', displayName: 'Operations', status: 'live' },
            granted: stepFor(story.grantedOps),
            trigger: 'membership-added',
            membership: stepFor(story.addedOps),
            mapping: { ...stepFor(story.mappedOps), roles: ['ops'] },
            ended: { reason: 'membership-removed', step: stepFor(story.revokedOps), cause: stepFor(story.removedOps) },
          },
        ],
      },
    ]);
    // The chain reaches the IdP request: the membership delta's token and request id.
    const dev = explanation.roles[1].sources[0];
    expect(dev.kind === 'group' && dev.membership).toMatchObject({ actor: { kind: 'scim-token', tokenId: 'tok-1' }, correlationId: story.addedEng.correlationId });
    expect(explanation.notes).toEqual([expect.stringContaining('Holds billing beyond what its SCIM groups define')]);
  });

  it('as of an earlier instant explains only what had happened by then', () => {
    const story = acceptanceStory();
    expect(story.s.explain('2026-03-01T10:00:59.999Z', 'eng', 'ops')).toBeNull();

    const beforeConversion = story.s.explain(t(2), 'eng', 'ops') as UserExplanation;
    expect(beforeConversion).toMatchObject({ source: 'manual', converted: null, asOf: t(2), effectiveRoles: ['billing'] });
    expect(beforeConversion.roles).toEqual([{ role: 'billing', effective: true, sources: [{ kind: 'manual', assigned: stepFor(story.assigned) }], ended: [] }]);
    expect(beforeConversion.notes).toEqual([]);

    const withBothGroups = story.s.explain(t(7), 'eng', 'ops') as UserExplanation;
    expect(withBothGroups.roles.map((r) => r.role)).toEqual(['billing', 'developer', 'ops']);
    expect(withBothGroups.formerRoles).toEqual([]);
  });

  it('a grant caused by a mapping change names the mapping as trigger and the earlier membership', () => {
    const s = scenario();
    s.user({ type: 'UserProvisioned', data: { userId: U, accountId: A, profile, active: true, provisionedAt: t(1) } }, t(1));
    s.createGroup('eng', 'Engineering', t(2));
    const added = s.add('eng', t(3));
    s.map('eng', ['developer'], [], t(4), alice);
    const mapped = s.map('eng', ['developer', 'ops'], ['developer'], t(5), bob);
    const granted = s.grant(mapped, 'ops', 'eng');
    const sources = (s.explain(undefined, 'eng') as UserExplanation).roles.find((r) => r.role === 'ops')?.sources;
    expect(sources).toEqual([
      {
        kind: 'group',
        group: { groupId: 'eng', displayName: 'Engineering', status: 'live' },
        granted: stepFor(granted),
        trigger: 'mapping-changed',
        membership: stepFor(added),
        mapping: { ...stepFor(mapped), roles: ['developer', 'ops'] },
      },
    ]);
  });

  it('names the mapping change that introduced the role, not a later one that kept it', () => {
    const s = scenario();
    s.user({ type: 'UserProvisioned', data: { userId: U, accountId: A, profile, active: true, provisionedAt: t(1) } }, t(1));
    s.createGroup('eng', 'Engineering', t(2));
    const first = s.map('eng', ['developer'], [], t(3), alice);
    s.map('eng', ['developer', 'ops'], ['developer'], t(4), bob);
    const added = s.add('eng', t(5));
    s.grant(added, 'developer', 'eng');
    const [source] = (s.explain(undefined, 'eng') as UserExplanation).roles[0].sources;
    expect(source).toMatchObject({ kind: 'group', trigger: 'membership-added', mapping: { ...stepFor(first), roles: ['developer'] } });
  });

  it('explains revocations by mapping change and by group deletion, with the group event that caused them', () => {
    const s = scenario();
    s.user({ type: 'UserProvisioned', data: { userId: U, accountId: A, profile, active: true, provisionedAt: t(1) } }, t(1));
    s.createGroup('eng', 'Engineering', t(2));
    s.createGroup('tmp', 'Temp', t(2));
    s.map('eng', ['developer', 'ops'], [], t(3));
    s.map('tmp', ['billing'], [], t(3));
    const addedEng = s.add('eng', t(4));
    s.grant(addedEng, 'developer', 'eng');
    s.grant(addedEng, 'ops', 'eng');
    const addedTmp = s.add('tmp', t(4));
    s.grant(addedTmp, 'billing', 'tmp');
    const remapped = s.map('eng', ['developer'], ['developer', 'ops'], t(5), bob);
    const revokedOps = s.revoke(remapped, 'ops', 'eng', 'mapping-changed');
    const deleted = s.group('tmp', { type: 'GroupDeleted', data: { groupId: 'tmp', deletedAt: t(6) } }, t(6));
    const revokedBilling = s.revoke(deleted, 'billing', 'tmp', 'group-deleted');

    const explanation = s.explain(undefined, 'eng', 'tmp') as UserExplanation;
    expect(explanation.roles.map((r) => r.role)).toEqual(['developer']);
    expect(explanation.formerRoles.map((r) => [r.role, r.ended.map((e) => e.ended)])).toEqual([
      ['billing', [{ reason: 'group-deleted', step: stepFor(revokedBilling), cause: stepFor(deleted) }]],
      ['ops', [{ reason: 'mapping-changed', step: stepFor(revokedOps), cause: stepFor(remapped) }]],
    ]);
    expect(explanation.formerRoles[0].ended[0]).toMatchObject({ kind: 'group', group: { groupId: 'tmp', displayName: 'Temp', status: 'deleted' } });
  });

  it('a role granted by two groups stays when one stops; the ended source is kept on the held role', () => {
    const s = scenario();
    s.user({ type: 'UserProvisioned', data: { userId: U, accountId: A, profile, active: true, provisionedAt: t(1) } }, t(1));
    s.createGroup('a', 'Ops A', t(2));
    s.createGroup('b', 'Ops B', t(2));
    s.map('a', ['ops'], [], t(3));
    s.map('b', ['ops'], [], t(3));
    s.grant(s.add('a', t(4)), 'ops', 'a');
    const viaB = s.grant(s.add('b', t(5)), 'ops', 'b');
    expect((s.explain(undefined, 'a', 'b') as UserExplanation).notes).toEqual([expect.stringContaining('ops is granted by 2 groups')]);

    const removed = s.remove('a', t(6));
    const revoked = s.revoke(removed, 'ops', 'a', 'membership-removed');
    const [ops] = (s.explain(undefined, 'a', 'b') as UserExplanation).roles;
    expect(ops.sources).toEqual([expect.objectContaining({ kind: 'group', group: expect.objectContaining({ groupId: 'b' }), granted: stepFor(viaB) })]);
    expect(ops.ended).toEqual([expect.objectContaining({ group: expect.objectContaining({ groupId: 'a' }), ended: { reason: 'membership-removed', step: stepFor(revoked), cause: stepFor(removed) } })]);
  });

  it('explains a manual role removed by an administrator as no longer held', () => {
    const s = scenario();
    s.user({ type: 'ManualUserCreated', data: { userId: U, accountId: A, profile, createdAt: t(1) } }, t(1), alice);
    const assigned = s.user({ type: 'RoleAssignedManually', data: { userId: U, role: 'billing', assignedAt: t(2) } }, t(2), alice);
    const removed = s.user({ type: 'RoleRemovedManually', data: { userId: U, role: 'billing', removedAt: t(3) } }, t(3), bob);
    const explanation = s.explain() as UserExplanation;
    expect(explanation.roles).toEqual([]);
    expect(explanation.formerRoles).toEqual([{ role: 'billing', ended: [{ kind: 'manual', assigned: stepFor(assigned), ended: { reason: 'removed-manually', step: stepFor(removed) } }] }]);
  });

  it('an inactive user holds its grants but no effective role, and says so', () => {
    const story = acceptanceStory();
    const deactivated = story.s.user({ type: 'UserDeactivated', data: { userId: U, deactivatedAt: t(9) } }, t(9));
    const explanation = story.s.explain(undefined, 'eng', 'ops') as UserExplanation;
    expect(explanation).toMatchObject({ status: 'inactive', effectiveRoles: [], lastStatusChange: stepFor(deactivated) });
    expect(explanation.roles.map((r) => [r.role, r.effective])).toEqual([
      ['billing', false],
      ['developer', false],
    ]);
    expect(explanation.notes[0]).toBe(
      `The user is inactive (deactivated at ${t(9)} by SCIM token tok-1): holds no effective role until reactivated; 2 role grant(s) are kept.`,
    );
    // Just before the deactivation, the roles were in effect.
    expect((story.s.explain(t(8), 'eng', 'ops') as UserExplanation).effectiveRoles).toEqual(['billing', 'developer']);
  });

  it('a deleted user is explained from its history', () => {
    const story = acceptanceStory();
    story.s.user({ type: 'UserDeprovisioned', data: { userId: U, userName: 'grace@acme.com', deprovisionedAt: t(9) } }, t(9));
    const explanation = story.s.explain(undefined, 'eng', 'ops') as UserExplanation;
    expect(explanation).toMatchObject({ status: 'deprovisioned', effectiveRoles: [] });
    expect(explanation.notes[0]).toMatch(/^The user was deleted at .* by SCIM token tok-1: gone from SCIM, holds no role/);
  });

  it('without the granting group\'s history, the grant is still explained, with the cause unknown', () => {
    const story = acceptanceStory();
    const [, developer] = (story.s.explain(undefined) as UserExplanation).roles;
    expect(developer.sources).toEqual([
      { kind: 'group', group: { groupId: 'eng', displayName: null, status: 'unknown' }, granted: stepFor(story.grantedDev), trigger: 'unknown', membership: null, mapping: null },
    ]);
  });

  it('names the groups whose histories it needs', () => {
    expect(groupsReferenced(acceptanceStory().s.h.userHistory(U))).toEqual(['eng', 'ops']);
  });

  it('held roles agree with the fold of the user aggregate at every instant of the story', () => {
    const story = acceptanceStory();
    story.s.user({ type: 'UserDeactivated', data: { userId: U, deactivatedAt: t(9) } }, t(9));
    story.s.user({ type: 'UserReactivated', data: { userId: U, reactivatedAt: t(10) } }, t(10));
    const history = story.s.h.userHistory(U);
    for (let minute = 1; minute <= 10; minute++) {
      const state = userAsOf(history, t(minute));
      const explanation = story.s.explain(t(minute), 'eng', 'ops') as UserExplanation;
      expect(explanation.roles.map((r) => r.role)).toEqual(heldRoles(state));
      expect(explanation.effectiveRoles).toEqual(effectiveRoles(state));
    }
  });
});
