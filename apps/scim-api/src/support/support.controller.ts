import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';
import { instantParam, limitParam, textParam } from './support-params';
import { SupportQueries } from './support-queries';
import { SupportGuard } from './support.guard';

const now = () => new Date().toISOString();

/**
 * Support's read-only view of an account, reconstructed from the event history. Credentials: the
 * operator key, an admin key of the account in the route, or the auditor key (SupportGuard).
 */
@Controller('support/accounts/:accountId')
@UseGuards(SupportGuard)
export class SupportController {
  constructor(private readonly queries: SupportQueries) {}

  @Get('users')
  search(@Param('accountId') accountId: string, @Query('userName') userName: unknown, @Query('includeDeleted') includeDeleted: unknown) {
    return this.queries.search(accountId, textParam('userName', userName, 256), includeDeleted === 'true');
  }

  /** Every role the user holds (or held) and why; `asOf` explains an earlier instant. */
  @Get('users/:userId/explain')
  explain(@Param('accountId') accountId: string, @Param('userId') userId: string, @Query('asOf') asOf: unknown) {
    return this.queries.explain(accountId, userId, asOf === undefined ? undefined : instantParam('asOf', asOf));
  }

  @Get('users/:userId/timeline')
  timeline(@Param('accountId') accountId: string, @Param('userId') userId: string) {
    return this.queries.timeline(accountId, userId);
  }

  @Get('users/:userId/roles')
  roles(@Param('accountId') accountId: string, @Param('userId') userId: string, @Query('asOf') asOf: unknown) {
    return this.queries.rolesAsOf(accountId, userId, instantParam('asOf', asOf, now));
  }

  /** Who held role R in this account at time T. */
  @Get('roles/:role/holders')
  holders(@Param('accountId') accountId: string, @Param('role') role: string, @Query('asOf') asOf: unknown) {
    return this.queries.roleHolders(accountId, role, instantParam('asOf', asOf, now));
  }

  /** Every user's effective roles at time T. */
  @Get('access')
  access(@Param('accountId') accountId: string, @Query('asOf') asOf: unknown) {
    return this.queries.access(accountId, instantParam('asOf', asOf, now));
  }

  /** Per user, the effective roles gained and lost between two instants. */
  @Get('access-diff')
  accessDiff(@Param('accountId') accountId: string, @Query('from') from: unknown, @Query('to') to: unknown) {
    const [fromInstant, toInstant] = [instantParam('from', from), instantParam('to', to, now)];
    if (Date.parse(fromInstant) > Date.parse(toInstant)) throw new ScimError(400, 'from must not be after to', 'invalidValue');
    return this.queries.accessDiff(accountId, fromInstant, toInstant);
  }

  @Get('groups/:groupId/members')
  members(@Param('accountId') accountId: string, @Param('groupId') groupId: string, @Query('asOf') asOf: unknown) {
    return this.queries.groupMembers(accountId, groupId, instantParam('asOf', asOf, now));
  }

  /** Recent IdP requests with their outcomes, most recent first. */
  @Get('activity')
  activity(@Param('accountId') accountId: string, @Query('limit') limit: unknown) {
    return this.queries.activity(accountId, limitParam(limit, { fallback: 50, max: 500 }));
  }
}
