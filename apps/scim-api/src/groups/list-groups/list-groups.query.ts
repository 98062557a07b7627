import type { ListQueryDto } from '../../scim/list-query.dto';
import type { MembersShown } from '../group-members/group-members.query';

export class ListGroupsQuery {
  constructor(
    readonly accountId: string,
    readonly params: ListQueryDto,
    readonly members: MembersShown,
  ) {}
}
