import { StreamPrefix, type GroupEvent, type GroupMembershipEvent, type GroupSource } from '@scim/domain';
import type { DocumentRef, Projection } from '../projection';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
import { domainEventOf } from './recorded-event';

interface GroupFields {
  readonly _id: string;
  readonly accountId: string;
  readonly source: GroupSource;
  readonly displayName: string;
  readonly externalId?: string;
  readonly roles: readonly string[];
  readonly created: string;
  readonly lastModified: string;
  /** Revisions of the lifecycle and membership streams; their sum is the SCIM version. */
  readonly revision: number;
  readonly membersRevision: number;
}

/** The case-folded mirror SCIM filters run against (members are matched through GroupMemberView). */
export interface GroupSearch {
  readonly id: string;
  readonly displayName: string;
  readonly externalId?: string;
  readonly meta: { readonly created: string; readonly lastModified: string };
}

export type GroupView = Doc & GroupFields & { readonly search: GroupSearch };

/** One document per membership, so a group of 50,000 members is never rewritten as a whole. */
export interface GroupMemberView extends Doc {
  readonly groupId: string;
  readonly accountId: string;
  readonly userId: string;
  readonly since: string;
}

export const groupVersion = (group: Pick<GroupView, 'revision' | 'membersRevision'>): number => group.revision + group.membersRevision + 1;

export const memberDocId = (groupId: string, userId: string): string => `${groupId}/${userId}`;

const isMembership = (type: string): type is GroupMembershipEvent['type'] => type === 'GroupMembersAdded' || type === 'GroupMembersRemoved';

export const groupsProjection: Projection = {
  name: 'groups',
  version: 1,
  streamPrefixes: [StreamPrefix.group, StreamPrefix.groupMembers],
  targets: (recorded) => {
    const groupId = recorded.data.groupId;
    if (typeof groupId !== 'string') return [];
    const group: DocumentRef = { collection: Collections.groups, id: groupId };
    if (!isMembership(recorded.type)) return [group];
    const members = (recorded.data.members as readonly string[]).map((userId) => ({ collection: Collections.groupMembers, id: memberDocId(groupId, userId) }));
    return [group, ...members];
  },
  evolve: (ref, doc, recorded) => {
    if (ref.collection === Collections.groupMembers) return evolveMember(ref, doc as GroupMemberView | null, domainEventOf<GroupMembershipEvent>(recorded));
    const group = doc as GroupView | null;
    if (isMembership(recorded.type)) {
      const at = recorded.type === 'GroupMembersAdded' ? recorded.data.addedAt : recorded.data.removedAt;
      return group ? withSearch({ ...group, membersRevision: recorded.revision, lastModified: at as string }) : null;
    }
    return evolveGroup(ref.id, group, domainEventOf<GroupEvent>(recorded), recorded.revision);
  },
};

function evolveGroup(groupId: string, group: GroupView | null, event: GroupEvent, revision: number): GroupView | null {
  if (event.type === 'GroupCreated') {
    const { accountId, displayName, externalId, source, createdAt, membersRevision = -1 } = event.data;
    // The initial members' deltas came first (a create is all or nothing), into no document yet.
    return withSearch({ _id: groupId, accountId, source, displayName, ...(externalId ? { externalId } : {}), roles: [], created: createdAt, lastModified: createdAt, revision, membersRevision });
  }
  if (!group) return null;
  switch (event.type) {
    case 'GroupRenamed':
      return withSearch({ ...group, displayName: event.data.displayName, lastModified: event.data.renamedAt, revision });
    case 'GroupExternalIdChanged': {
      const { externalId: _old, search: _search, ...rest } = group;
      return withSearch({ ...rest, ...(event.data.externalId ? { externalId: event.data.externalId } : {}), lastModified: event.data.changedAt, revision });
    }
    case 'GroupRoleMappingChanged':
      return withSearch({ ...group, roles: event.data.roles, lastModified: event.data.changedAt, revision });
    case 'GroupDeleted':
      return null;
    default: {
      const _exhaustive: never = event;
      return group;
    }
  }
}

function evolveMember(ref: DocumentRef, member: GroupMemberView | null, event: GroupMembershipEvent): GroupMemberView | null {
  if (event.type === 'GroupMembersRemoved') return null;
  if (member) return member;
  const { groupId, accountId, addedAt } = event.data;
  return { _id: ref.id, groupId, accountId, userId: ref.id.slice(groupId.length + 1), since: addedAt };
}

/** displayName is caseExact=false (RFC 7643 §4.2): filters compare it lower-cased. */
function withSearch(group: GroupFields & { readonly search?: GroupSearch }): GroupView {
  const { _id, displayName, externalId, created, lastModified } = group;
  const search: GroupSearch = { id: _id, displayName: displayName.normalize('NFC').toLowerCase(), ...(externalId ? { externalId } : {}), meta: { created, lastModified } };
  return { ...group, search };
}
