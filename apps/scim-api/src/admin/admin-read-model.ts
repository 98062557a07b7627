import { Injectable } from '@nestjs/common';
import { DomainError, userNameKey } from '@scim/domain';
import { ReadStore, type Query } from '@scim/read-models';
import { heldRoles } from '@scim/domain/history';
import { Collections, userStateOf, type GroupMemberView, type GroupView, type UserView } from '@scim/read-models/projections';
import { pageOf } from '../scim/paging';
import type { AdminListQueryDto } from './admin.dto';

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
      ...(params.source ? { source: params.source } : {}),
      ...(params.status ? { status: params.status } : {}),
      ...(params.userName ? { userNameKey: userNameKey(params.userName) } : {}),
      ...(params.role ? { effectiveRoles: params.role } : {}),
    };
    const page = await pageOf<UserView>(this.readStore, Collections.users, scope, undefined, params);
    // Each user with its groups of both sources, as the product's users page shows them.
    const groups = await Promise.all(page.resources.map((u) => this.groupsOf(accountId, u._id)));
    return {
      totalResults: page.totalResults,
      startIndex: page.startIndex,
      users: page.resources.map((u, index) => ({
        id: u._id,
        userName: u.profile.userName,
        displayName: u.profile.displayName,
        source: u.source,
        status: u.status,
        groups: groups[index].map(groupSummary),
        effectiveRoles: u.effectiveRoles,
        created: u.created,
        lastModified: u.lastModified,
      })),
    };
  }

  async user(accountId: string, userId: string) {
    const user = await this.readStore.get<UserView>(Collections.users, userId);
    if (!user || user.accountId !== accountId) throw new DomainError('user_not_found', 'User not found');
    const groups = await this.groupsOf(accountId, userId);
    return {
      id: user._id,
      userName: user.profile.userName,
      displayName: user.profile.displayName,
      source: user.source,
      status: user.status,
      convertedAt: user.convertedAt,
      created: user.created,
      lastModified: user.lastModified,
      groups: groups.map(groupSummary),
      roles: await this.rolesWithProvenance(user),
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

  async groups(accountId: string) {
    const groups = await this.readStore.find<GroupView>(Collections.groups, { accountId });
    return Promise.all(
      groups.map(async (g) => ({
        id: g._id,
        displayName: g.displayName,
        externalId: g.externalId,
        source: g.source,
        roles: g.roles,
        memberCount: await this.readStore.count(Collections.groupMembers, { groupId: g._id }),
        created: g.created,
        lastModified: g.lastModified,
      })),
    );
  }

  private async groupsOf(accountId: string, userId: string): Promise<GroupView[]> {
    const memberships = await this.readStore.find<GroupMemberView>(Collections.groupMembers, { accountId, userId });
    const groups = await Promise.all(memberships.map((m) => this.readStore.get<GroupView>(Collections.groups, m.groupId)));
    return groups.filter((g): g is GroupView => g !== null);
  }
}

const groupSummary = (group: GroupView) => ({ id: group._id, displayName: group.displayName, source: group.source });
