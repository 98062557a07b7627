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
import { sendScimBytes } from '../../scim/scim-response';
import { UserJsonCache } from '../user-json-cache';
import { snapshotOfView, userHeaders, withAccountSchema } from '../user-presenter';
import { withGroups } from '../user-groups/user-groups.query';
import { UserReadBodies } from '../user-read-bodies';
import { GetUserQuery } from './get-user.query';

@Controller('scim/v2/:accountId/Users')
@UseGuards(ScimAuthGuard)
export class GetUserController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly baseUrls: ScimBaseUrl,
    private readonly userJsonCache: UserJsonCache,
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
    const snapshot = snapshotOfView(view);
    const baseUrl = this.baseUrls.of(request, context.accountId);
    if (ifNoneMatchHits(ifNoneMatch, snapshot.version)) {
      response.status(304).setHeader('ETag', userHeaders(snapshot, baseUrl).ETag);
      response.end();
      return;
    }
    const accountSelection = await withAccountSchema(selection, () => this.schemas.of(context.accountId));
    const body = new UserReadBodies(this.userJsonCache, baseUrl, accountSelection).user(await withGroups(this.queryBus, context.accountId, snapshot, selection));
    sendScimBytes(response, 200, body, userHeaders(snapshot, baseUrl));
  }
}
