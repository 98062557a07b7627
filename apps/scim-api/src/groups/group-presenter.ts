import type { LiveGroup } from '@scim/domain';
import type { GroupView } from '@scim/read-models/projections';
import { groupResourceSchema, parseAttributeList, renderGroup, selectAttributes } from '@scim/scim-protocol';
import { etagOf } from '../scim/scim-http';
import type { AttributeSelection } from '../users/user-presenter';
import type { GroupMember } from './group-queries';

export interface GroupSnapshot {
  readonly id: string;
  readonly displayName: string;
  readonly externalId?: string;
  readonly created: string;
  readonly lastModified: string;
  readonly version: number;
}

export const snapshotOfGroup = (group: LiveGroup, version: number): GroupSnapshot => ({
  id: group.groupId,
  displayName: group.displayName,
  externalId: group.externalId,
  created: group.createdAt,
  lastModified: group.updatedAt,
  version,
});

export const snapshotOfGroupView = (view: GroupView): GroupSnapshot => ({
  id: view._id,
  displayName: view.displayName,
  externalId: view.externalId,
  created: view.created,
  lastModified: view.lastModified,
  version: view.revision + view.membersRevision + 1,
});

/** Members are loaded only when the response will show them (Entra reads with excludedAttributes=members). */
export function membersWanted(selection: AttributeSelection): boolean {
  const listed = (text?: string) => (text ? parseAttributeList(text).map((a) => a.toLowerCase()) : undefined);
  const excluded = listed(selection.excludedAttributes) ?? [];
  const only = listed(selection.attributes);
  const isMembers = (a: string) => a === 'members' || a.startsWith('members.') || a.endsWith(':group:members');
  return !excluded.some(isMembers) && (!only || only.some(isMembers));
}

export function groupResource(snapshot: GroupSnapshot, members: readonly GroupMember[] | undefined, baseUrl: string, selection: AttributeSelection = {}) {
  const { id, displayName, externalId, created, lastModified, version } = snapshot;
  const resource = renderGroup(
    {
      id,
      profile: { displayName, ...(externalId ? { externalId } : {}) },
      members: members?.map((member) => ({ ...member, type: 'User' })),
      meta: { created, lastModified, version },
    },
    baseUrl,
  );
  if (!selection.attributes && !selection.excludedAttributes) return resource;
  return selectAttributes(resource, groupResourceSchema, {
    attributes: selection.attributes ? parseAttributeList(selection.attributes) : undefined,
    excludedAttributes: selection.excludedAttributes ? parseAttributeList(selection.excludedAttributes) : undefined,
  });
}

export const groupHeaders = (snapshot: GroupSnapshot, baseUrl: string) => ({
  ETag: etagOf(snapshot.version),
  Location: `${baseUrl}/Groups/${snapshot.id}`,
});
