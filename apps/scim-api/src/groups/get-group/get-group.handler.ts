import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type GroupView } from '@scim/read-models/projections';
import { membersOf } from '../group-members/group-members.query';
import { GetGroupQuery, type GroupWithMembers } from './get-group.query';

@QueryHandler(GetGroupQuery)
export class GetGroupHandler implements IQueryHandler<GetGroupQuery, GroupWithMembers> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, groupId, members }: GetGroupQuery): Promise<GroupWithMembers> {
    const view = await this.readStore.get<GroupView>(Collections.groups, groupId);
    // Groups of other accounts and groups not pushed by SCIM are invisible to the IdP.
    if (!view || view.accountId !== accountId || view.source !== 'SCIM') throw new DomainError('group_not_found', `Group ${groupId} not found`);
    return { view, members: await membersOf(this.readStore, accountId, groupId, members) };
  }
}
