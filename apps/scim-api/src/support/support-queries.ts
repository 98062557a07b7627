import { Injectable } from '@nestjs/common';
import { StreamPrefix, userNameKey, type UserEvent } from '@scim/domain';
import {
  accessDiff,
  accountAccess,
  effectiveRoles,
  explainUser,
  groupAsOf,
  groupMembersAsOf,
  groupsReferenced,
  heldRoles,
  provisioningActivity,
  roleHolders,
  timelineOf,
  userAsOf,
  usersAsOf,
  type ActivityRequest,
  type HistoryEntry,
  type RoleHolder,
  type UsersAsOf,
} from '@scim/domain/history';
import { ReadStore } from '@scim/read-models';
import { Collections, type UserView } from '@scim/read-models/projections';
import { SupportHistory } from './support-history';

const SEARCH_RESULTS = 20;
/** Names looked up (one stream read each) for a group's member list or an activity page. */
const NAME_LOOKUPS = 200;
const ACTIVITY_STREAMS = [StreamPrefix.user, StreamPrefix.group, StreamPrefix.groupMembers, StreamPrefix.provisioning];

export interface UserSearchResult {
  readonly userId: string;
  readonly userName: string;
  readonly source: 'Manual' | 'SCIM';
  readonly status: 'active' | 'inactive' | 'deprovisioned';
}

/** Support's questions, answered from the event history (shared/DESIGN.md §1: "why does this user have these roles?"). */
@Injectable()
export class SupportQueries {
  constructor(
    private readonly history: SupportHistory,
    private readonly readStore: ReadStore,
  ) {}

  /**
   * Users whose userName starts with `prefix` (case-insensitively). The read model only finds the
   * ids of live users; deleted users are found in the history when asked for.
   */
  async search(accountId: string, prefix: string, includeDeleted: boolean): Promise<UserSearchResult[]> {
    await this.history.requireAccount(accountId);
    const key = userNameKey(prefix);
    const live = await this.readStore.find<UserView>(
      Collections.users,
      { accountId, userNameKey: { $gte: key, $lt: `${key}\uffff` } },
      { sort: [['userNameKey', 1]], limit: SEARCH_RESULTS },
    );
    const results: UserSearchResult[] = live.map((u) => ({ userId: u._id, userName: u.profile.userName, source: u.source === 'scim' ? 'SCIM' : 'Manual', status: u.status }));
    if (!includeDeleted) return results;
    const deleted = new Map<string, UserSearchResult>();
    for await (const batch of this.history.account(accountId, [StreamPrefix.user])) {
      for (const { event } of batch as HistoryEntry<UserEvent>[]) {
        // A user created again under the same id is live once more (ids are never reused in practice).
        if (event.type === 'UserProvisioned' || event.type === 'ManualUserCreated') deleted.delete(event.data.userId);
        if (event.type === 'UserDeprovisioned' && userNameKey(event.data.userName).startsWith(key)) {
          deleted.set(event.data.userId, { userId: event.data.userId, userName: event.data.userName, source: 'SCIM', status: 'deprovisioned' });
        }
      }
    }
    return [...results, ...[...deleted.values()].sort((a, b) => (a.userName < b.userName ? -1 : 1)).slice(0, SEARCH_RESULTS)];
  }

  /** Every role the user holds or held, with its provenance chain back to the request that caused it. */
  async explain(accountId: string, userId: string, asOf?: string) {
    const history = await this.history.user(accountId, userId);
    const groups = await this.history.groups(accountId, groupsReferenced(history), userId);
    const explanation = explainUser(history, groups, asOf);
    if (explanation) return { ...explanation, source: explanation.source === 'scim' ? ('SCIM' as const) : ('Manual' as const) };
    return { userId, asOf: asOf ?? null, status: 'absent' as const, effectiveRoles: [], roles: [], formerRoles: [], notes: ['The user did not exist yet at this instant.'] };
  }

  async timeline(accountId: string, userId: string) {
    const history = await this.history.user(accountId, userId);
    const names = new Map<string, string>();
    for (const groupId of groupsReferenced(history)) {
      const group = await this.history.groupState(groupId);
      if (group.status !== 'absent' && group.accountId === accountId) names.set(groupId, group.displayName);
    }
    return { userId, events: timelineOf(history, (groupId) => names.get(groupId)) };
  }

  async rolesAsOf(accountId: string, userId: string, asOf: string) {
    const state = userAsOf(await this.history.user(accountId, userId), asOf);
    return {
      userId,
      asOf,
      status: state.status,
      userName: state.status === 'absent' ? null : state.profile.userName,
      effectiveRoles: effectiveRoles(state),
      heldRoles: heldRoles(state),
    };
  }

  async roleHolders(accountId: string, role: string, asOf: string) {
    const [users] = await this.foldAccount(accountId, [asOf]);
    const { holders, suspended } = roleHolders(users.users(), role);
    const name = await this.groupNamer(accountId);
    const named = async (holder: RoleHolder) => ({
      ...holder,
      sources: await Promise.all(holder.sources.map(async (s) => (s.kind === 'group' ? { ...s, groupName: await name(s.groupId) } : s))),
    });
    return { role, asOf, holders: await Promise.all(holders.map(named)), suspended: await Promise.all(suspended.map(named)) };
  }

  async accessDiff(accountId: string, from: string, to: string) {
    const [before, after] = await this.foldAccount(accountId, [from, to]);
    return { from, to, changes: accessDiff(before.users(), after.users()) };
  }

  async access(accountId: string, asOf: string) {
    const [users] = await this.foldAccount(accountId, [asOf]);
    return { asOf, users: accountAccess(users.users()) };
  }

  async groupMembers(accountId: string, groupId: string, asOf: string) {
    const { lifecycle, membership } = await this.history.group(accountId, groupId);
    const group = groupAsOf(lifecycle, asOf);
    const members = group.status === 'absent' ? [] : groupMembersAsOf(membership, asOf);
    const named = await Promise.all(
      members.map(async (m, i) => {
        if (i >= NAME_LOOKUPS) return m;
        const user = await this.history.userState(m.userId);
        return { ...m, userName: user.status === 'absent' ? null : user.profile.userName };
      }),
    );
    return {
      groupId,
      asOf,
      status: group.status,
      displayName: group.status === 'absent' ? null : group.displayName,
      source: group.status === 'absent' ? null : group.source,
      roles: group.status === 'absent' ? [] : group.roles,
      memberCount: members.length,
      members: named,
    };
  }

  /**
   * The account's most recent IdP requests. Read backwards until one more request than asked for
   * is seen, and that oldest one dropped: its first events may lie before the window read.
   */
  async activity(accountId: string, limit: number) {
    await this.history.requireAccount(accountId);
    // Not at the start, more than `limit` requests were read: slicing drops the oldest, possibly partial one.
    const { entries } = await this.history.recent(accountId, ACTIVITY_STREAMS, (read) => provisioningActivity(read).length > limit);
    const requests = provisioningActivity(entries).slice(0, limit);
    return { accountId, requests: await this.withNames(accountId, requests) };
  }

  /** Fills in the names the events of a request did not carry, from each resource's own history. */
  private async withNames(accountId: string, requests: ActivityRequest[]) {
    const users = new Map<string, Promise<string | null>>();
    const groupName = await this.groupNamer(accountId);
    const userName = (userId: string) => {
      if (!users.has(userId)) {
        users.set(userId, users.size >= NAME_LOOKUPS ? Promise.resolve(null) : this.history.userState(userId).then((s) => (s.status === 'absent' ? null : s.profile.userName)));
      }
      return users.get(userId) as Promise<string | null>;
    };
    return Promise.all(
      requests.map(async (request) => ({
        ...request,
        items: await Promise.all(
          request.items.map(async (item) => {
            if (item.name !== null || item.resourceId === null) return item;
            return { ...item, name: item.resourceType === 'User' ? await userName(item.resourceId) : await groupName(item.resourceId) };
          }),
        ),
      })),
    );
  }

  /** Group names from the groups' histories, each read once per query. */
  private async groupNamer(accountId: string): Promise<(groupId: string) => Promise<string | null>> {
    const names = new Map<string, Promise<string | null>>();
    return (groupId) => {
      if (!names.has(groupId)) {
        names.set(
          groupId,
          this.history.groupState(groupId).then((g) => (g.status !== 'absent' && g.accountId === accountId ? g.displayName : null)),
        );
      }
      return names.get(groupId) as Promise<string | null>;
    };
  }

  /** One pass over the account's user events, folded at each instant. */
  private async foldAccount(accountId: string, instants: readonly string[]): Promise<UsersAsOf[]> {
    await this.history.requireAccount(accountId);
    const folders = instants.map((asOf) => usersAsOf(asOf));
    for await (const batch of this.history.account(accountId, [StreamPrefix.user])) {
      for (const entry of batch as HistoryEntry<UserEvent>[]) for (const folder of folders) folder.add(entry);
    }
    return folders;
  }
}
