import type { LiveGroup } from '@scim/domain';
import type { GroupView } from '@scim/read-models/projections';
import { groupResourceSchema, parseAttributeList, renderGroup, selectAttributes } from '@scim/scim-protocol';
import { etagOf } from '../scim/scim-http';
import type { AttributeSelection } from '../users/user-presenter';
import type { GroupMember, MembersShown } from './group-members/group-members.query';

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

/** What the response selected by `selection` shows of the members (see MembersShown). */
export function membersShown(selection: AttributeSelection): MembersShown {
  const listed = (text?: string) => (text ? parseAttributeList(text).map((a) => a.toLowerCase()) : undefined);
  const excluded = listed(selection.excludedAttributes) ?? [];
  const only = listed(selection.attributes);
  const isWhole = (a: string) => a === 'members' || a.endsWith(':group:members');
  const isDisplay = (a: string) => a === 'members.display' || a.endsWith(':group:members.display');
  const isMembers = (a: string) => isWhole(a) || a.startsWith('members.') || a.includes(':group:members.');
  if (excluded.some(isWhole) || (only && !only.some(isMembers))) return 'none';
  const display = !excluded.some(isDisplay) && (!only || only.some((a) => isWhole(a) || isDisplay(a)));
  return display ? 'withDisplay' : 'values';
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
