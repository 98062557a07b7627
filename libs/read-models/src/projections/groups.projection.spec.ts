import type { RecordedEvent } from '@scim/event-store';
import { Collections } from './collections';
import { groupsProjection, groupVersion, memberDocId, type GroupMemberView, type GroupView } from './groups.projection';

const groupId = 'g1';
let position = 0;
const recorded = (streamId: string, type: string, revision: number, data: Record<string, unknown>): RecordedEvent => ({
  id: `e${++position}`,
  type,
  data,
  metadata: { schemaVersion: 1 },
  streamId,
  revision,
  position,
  recordedAt: '2025-01-01T00:00:00.000Z',
});

/** Folds events into the documents they target, as the projection runner does. */
function project(events: readonly RecordedEvent[]): Map<string, unknown> {
  const docs = new Map<string, unknown>();
  for (const event of events) {
    for (const ref of groupsProjection.targets(event)) {
      const key = `${ref.collection}/${ref.id}`;
      docs.set(key, groupsProjection.evolve(ref, (docs.get(key) ?? null) as GroupView | null, event));
    }
  }
  return docs;
}

describe('groupsProjection', () => {
  // A create writes its members first, in parts, and GroupCreated last (all or nothing).
  const initialMembers = [
    recorded(`groupmembers-${groupId}`, 'GroupMembersAdded', 0, { groupId, accountId: 'a1', members: ['u1', 'u2'], addedAt: '2025-01-01T00:00:00.000Z' }),
    recorded(`groupmembers-${groupId}`, 'GroupMembersAdded', 1, { groupId, accountId: 'a1', members: ['u3'], addedAt: '2025-01-01T00:00:00.000Z' }),
  ];
  const created = recorded(`group-${groupId}`, 'GroupCreated', 0, {
    groupId,
    accountId: 'a1',
    displayName: 'Engineering',
    source: 'SCIM',
    createdAt: '2025-01-01T00:00:00.000Z',
    membersRevision: 1,
  });

  it('shows no group until GroupCreated, then the version of both streams', () => {
    expect(project(initialMembers).get(`${Collections.groups}/${groupId}`)).toBeNull();
    const docs = project([...initialMembers, created]);
    const group = docs.get(`${Collections.groups}/${groupId}`) as GroupView;
    expect(groupVersion(group)).toBe(2);
    expect((docs.get(`${Collections.groupMembers}/${memberDocId(groupId, 'u3')}`) as GroupMemberView).userId).toBe('u3');
  });

  it('counts no membership revision for a group created without members, as before', () => {
    const { membersRevision: _none, ...data } = created.data;
    const group = project([{ ...created, data }]).get(`${Collections.groups}/${groupId}`) as GroupView;
    expect(group.membersRevision).toBe(-1);
    expect(groupVersion(group)).toBe(0);
  });
});
