import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type UserView } from '@scim/read-models/projections';
import { GetUserQuery } from './get-user.query';

@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery, UserView> {
  constructor(private readonly readStore: ReadStore) {}

  async execute({ accountId, userId }: GetUserQuery): Promise<UserView> {
    const user = await this.readStore.get<UserView>(Collections.users, userId);
    // Users of other accounts and manual users are invisible to the IdP.
    if (!user || user.accountId !== accountId || user.source !== 'scim') {
      throw new DomainError('user_not_found', `User ${userId} not found`);
    }
    return user;
  }
}
