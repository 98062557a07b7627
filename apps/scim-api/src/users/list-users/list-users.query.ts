import type { ListQueryDto } from '../../scim/list-query.dto';

export class ListUsersQuery {
  constructor(
    readonly accountId: string,
    readonly params: ListQueryDto,
  ) {}
}
