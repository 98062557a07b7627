import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { sendScim } from '../scim/scim-response';
import type { AttributeSelection } from '../users/user-presenter';
import type { CreatedGroup } from './create-group/create-group.command';
import { GroupMembersQuery, type GroupMember } from './group-members/group-members.query';
import { groupHeaders, groupResource, membersShown, snapshotOfGroup } from './group-presenter';

/** The answer to a create or a replace: the group as written, its members as the selection shows them. */
@Injectable()
export class WrittenGroupResponse {
  constructor(private readonly queryBus: QueryBus) {}

  async send(response: Response, status: 200 | 201, written: CreatedGroup, baseUrl: string, accountId: string, selection: AttributeSelection): Promise<void> {
    const snapshot = snapshotOfGroup(written.group, written.version);
    const members = await this.membersShown(accountId, written.members, selection);
    sendScim(response, status, groupResource(snapshot, members, baseUrl, selection), groupHeaders(snapshot, baseUrl));
  }

  /** The written members with their display names, when the response shows members. */
  private async membersShown(accountId: string, userIds: readonly string[], selection: AttributeSelection): Promise<readonly GroupMember[] | undefined> {
    const shown = membersShown(selection);
    if (shown === 'none') return undefined;
    if (shown === 'values') return userIds.map((value) => ({ value }));
    return this.queryBus.execute<GroupMembersQuery, GroupMember[]>(new GroupMembersQuery(accountId, userIds));
  }
}
