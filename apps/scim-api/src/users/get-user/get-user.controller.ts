import { Controller, Get, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import type { UserView } from '@scim/read-models/projections';
import { ScimAuthGuard } from '../../scim/scim-auth.guard';
import { AccountSchemaReader } from '../../scim/account-schemas';
import { ScimBaseUrl } from '../../scim/scim-base-url';
import { ifNoneMatchHits } from '../../scim/scim-http';
import { AttributesQueryDto } from '../../scim/list-query.dto';
import { ScimContext, type CommandContext } from '../../shared/request-context';
import { sendScimJson } from '../../scim/scim-response';
import { groupsWanted, storedUserJson, userHeaders, withAccountSchema } from '../user-presenter';
import { UserGroupsQuery, type GroupsByUser } from '../user-groups/user-groups.query';
import { GetUserQuery } from './get-user.query';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class GetUserController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly schemas: AccountSchemaReader,
  ) {}

  @Get(':userId')
  async get(
    @ScimContext() context: CommandContext,
    @Param('userId') userId: string,
    @Query() selection: AttributesQueryDto,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const view = await this.queryBus.execute<GetUserQuery, UserView>(new GetUserQuery(context.accountId, userId));
    const baseUrl = this.baseUrls.of(request, context.accountId);
    const headers = userHeaders({ id: view._id, version: view.version }, baseUrl);
    if (ifNoneMatchHits(ifNoneMatch, view.version)) {
      response.status(304).setHeader('ETag', headers.ETag);
      response.end();
      return;
    }
    const accountSelection = await withAccountSchema(selection, () => this.schemas.of(context.accountId));
    const groups = groupsWanted(selection) ? await this.queryBus.execute<UserGroupsQuery, GroupsByUser>(new UserGroupsQuery(context.accountId, [view])) : undefined;
    sendScimJson(response, 200, storedUserJson(view, baseUrl, accountSelection, groups?.get(view._id)), headers);
  }
}
