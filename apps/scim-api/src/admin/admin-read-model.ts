import { Injectable } from '@nestjs/common';
import { DomainError, userNameKey } from '@scim/domain';
import { ReadStore, type Query } from '@scim/read-models';
import { heldRoles } from '@scim/domain/history';
import { Collections, userStateOf, type GroupMemberView, type GroupView, type UserView } from '@scim/read-models/projections';
import { userResourceSchema } from '@scim/scim-protocol';
import { pageOf } from '../scim/paging';
import type { AdminListQueryDto, GroupListQueryDto, PageQueryDto, UserSource } from './admin.dto';
import { adminPageOf, prefixOf, type AdminPage } from './admin-page';

/** The read model stores the SCIM-protocol spelling; the admin API speaks the product's words. */
const USER_SOURCE_LABEL = { manual: 'Manual', scim: 'SCIM' } as const satisfies Record<UserView['source'], UserSource>;
const STORED_USER_SOURCE = { Manual: 'manual', SCIM: 'scim' } as const satisfies Record<UserSource, UserView['source']>;
export const userSourceLabel = (source: UserView['source']): UserSource => USER_SOURCE_LABEL[source];

/** Users whose user name, display name or an email starts with `search` (the console's one search box). */
function userSearch(search: string | undefined): Query {
  if (!search?.trim()) return {};
  const prefix = search.trim();
  return { $or: [prefixOf('search.userName', prefix), prefixOf('search.displayName', prefix), prefixOf('search.name.formatted', prefix), prefixOf('search.emails.value', prefix)] };
}

/** Where an effective (or held but inactive) role comes from. */
export type RoleSource =
  | { readonly kind: 'manual'; readonly since: string }
  | { readonly kind: 'pre-existing-at-conversion'; readonly since: string; readonly convertedAt?: string }
  | { readonly kind: 'group'; readonly groupId: string; readonly groupName: string; readonly since: string };

export interface RoleWithProvenance {
  readonly role: string;
  /** False while the user is inactive: held, but not in effect until reactivation. */
  readonly effective: boolean;
  readonly sources: readonly RoleSource[];
}

/** The administrators' read side: the consolidated users list, groups with sources, roles with provenance. */
@Injectable()
export class AdminReadModel {
  constructor(private readonly readStore: ReadStore) {}

  async users(accountId: string, params: AdminListQueryDto) {
    const scope: Query = {
      accountId,
      ...(params.source ? { source: STORED_USER_SOURCE[params.source] } : {}),
      ...(params.status ? { status: params.status } : {}),
      ...(params.userName ? { userNameKey: userNameKey(params.userName) } : {}),
      ...(params.role ? { effectiveRoles: params.role } : {}),
    };
    const search = userSearch(params.search);
    const page = await pageOf<UserView>(this.readStore, Collections.users, scope, Object.keys(search).length ? search : undefined, params);
    // Each user with its groups of both sources, as the product's users page shows them: one read for the page.
    const groupsOfPage = await this.groupsById(accountId, page.resources.flatMap((u) => u.groupIds));
    const groups = new Map(page.resources.map((u) => [u._id, u.groupIds.flatMap((id) => groupsOfPage.get(id) ?? [])] as const));
    return adminPageOf(page, (u) => ({
      id: u._id,
      userName: u.profile.userName,
      displayName: nameOf(u.profile),
      emails: emailsOf(u.profile),
      source: userSourceLabel(u.source),
      status: u.status,
      groups: (groups.get(u._id) ?? []).map(groupSummary),
      effectiveRoles: u.effectiveRoles,
      created: u.created,
      lastModified: u.lastModified,
    }));
  }

  async user(accountId: string, userId: string) {
    const user = await this.readStore.get<UserView>(Collections.users, userId);
    if (!user || user.accountId !== accountId) throw new DomainError('user_not_found', 'User not found');
    const groups = await this.groupsOf(user);
    return {
      id: user._id,
      userName: user.profile.userName,
      displayName: nameOf(user.profile),
      emails: emailsOf(user.profile),
      source: userSourceLabel(user.source),
      status: user.status,
      convertedAt: user.convertedAt,
      created: user.created,
      lastModified: user.lastModified,
      groups: groups.map(groupSummary),
      roles: await this.rolesWithProvenance(user),
      customAttributes: customAttributesOf(user.profile),
    };
  }

  async rolesWithProvenance(user: UserView): Promise<RoleWithProvenance[]> {
    const state = userStateOf(user);
    const { manualRoles, groupRoles } = state;
    const groupNames = new Map<string, string>();
    for (const grants of groupRoles.values()) {
      for (const { groupId } of grants) {
        if (!groupNames.has(groupId)) groupNames.set(groupId, (await this.readStore.get<GroupView>(Collections.groups, groupId))?.displayName ?? '(deleted group)');
      }
    }
    return heldRoles(state).map((role) => {
      const manual = manualRoles.get(role);
      const sources: RoleSource[] = [];
      if (manual) {
        sources.push(manual.preExisting ? { kind: 'pre-existing-at-conversion', since: manual.since, convertedAt: user.convertedAt } : { kind: 'manual', since: manual.since });
      }
      for (const grant of groupRoles.get(role) ?? []) {
        sources.push({ kind: 'group', groupId: grant.groupId, groupName: groupNames.get(grant.groupId) ?? grant.groupId, since: grant.since });
      }
      return { role, effective: user.active, sources };
    });
  }

  async groups(accountId: string, params: GroupListQueryDto) {
    const scope: Query = { accountId, ...(params.source ? { source: params.source } : {}) };
    const search = params.search?.trim() ? prefixOf('search.displayName', params.search.trim()) : undefined;
    const page = await pageOf<GroupView>(this.readStore, Collections.groups, scope, search, params);
    const counts = new Map(await Promise.all(page.resources.map(async (g) => [g._id, await this.readStore.count(Collections.groupMembers, { groupId: g._id })] as const)));
    return adminPageOf(page, (g) => groupDetail(g, counts.get(g._id) ?? 0));
  }

  async group(accountId: string, groupId: string) {
    const group = await this.readStore.get<GroupView>(Collections.groups, groupId);
    if (!group || group.accountId !== accountId) throw new DomainError('group_not_found', 'Group not found');
    return groupDetail(group, await this.readStore.count(Collections.groupMembers, { groupId }));
  }

  /** A group's members, a page at a time (SCIM groups may have tens of thousands), with their names. */
  async members(accountId: string, groupId: string, params: PageQueryDto): Promise<AdminPage<MemberSummary>> {
    await this.group(accountId, groupId);
    const page = await pageOf<GroupMemberView>(this.readStore, Collections.groupMembers, { groupId }, undefined, params);
    const users = new Map(await Promise.all(page.resources.map(async (m) => [m.userId, await this.readStore.get<UserView>(Collections.users, m.userId)] as const)));
    return adminPageOf(page, (m) => {
      const user = users.get(m.userId);
      return user
        ? { id: m.userId, userName: user.profile.userName, displayName: nameOf(user.profile), source: userSourceLabel(user.source), status: user.status }
        : { id: m.userId, userName: '(deleted user)', source: undefined, status: undefined };
    });
  }

  /** The user's groups, from the ids its read model keeps; a deleted group is left out. */
  private async groupsOf(user: UserView): Promise<GroupView[]> {
    const groups = await this.groupsById(user.accountId, user.groupIds);
    return user.groupIds.flatMap((id) => groups.get(id) ?? []);
  }

  private async groupsById(accountId: string, ids: readonly string[]): Promise<ReadonlyMap<string, GroupView>> {
    if (ids.length === 0) return new Map();
    const groups = await this.readStore.find<GroupView>(Collections.groups, { _id: { $in: [...new Set(ids)] }, accountId });
    return new Map(groups.map((group) => [group._id, group]));
  }
}

/** The name an administrator knows the user by: displayName, else the formatted name (IdPs send one or the other). */
function nameOf(profile: UserView['profile']): string | undefined {
  const formatted = (profile.name as { formatted?: unknown } | undefined)?.formatted;
  return typeof profile.displayName === 'string' ? profile.displayName : typeof formatted === 'string' ? formatted : undefined;
}

function emailsOf(profile: UserView['profile']): string[] {
  const emails = Array.isArray(profile.emails) ? (profile.emails as { value?: unknown }[]) : [];
  return emails.flatMap((e) => (typeof e?.value === 'string' ? [e.value] : []));
}

const groupSummary = (group: GroupView) => ({ id: group._id, displayName: group.displayName, source: group.source });

const groupDetail = (g: GroupView, memberCount: number) => ({
  id: g._id,
  displayName: g.displayName,
  externalId: g.externalId,
  source: g.source,
  roles: g.roles,
  memberCount,
  created: g.created,
  lastModified: g.lastModified,
});

export interface MemberSummary {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly source?: UserSource;
  readonly status?: string;
}

/**
 * The values of the account's declared schema extensions, as a list: their names are the account's
 * choice, so they are never keys of a response object the console walks.
 */
export function customAttributesOf(profile: Readonly<Record<string, unknown>>): { schema: string; name: string; value: unknown }[] {
  return Object.entries(profile)
    .filter(([key, value]) => /^urn:/i.test(key) && !userResourceSchema.knowsSchema(key) && typeof value === 'object' && value !== null)
    .flatMap(([schema, values]) => Object.entries(values as Record<string, unknown>).map(([name, value]) => ({ schema, name, value })));
}
