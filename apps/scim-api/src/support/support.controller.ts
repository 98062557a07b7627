import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ScimError } from '@scim/scim-protocol';
import { SupportRoute, SupportSchemas } from './support-openapi';
import { instantParam, limitParam, textParam } from './support-params';
import { SupportQueries } from './support-queries';
import { SupportGuard } from './support.guard';

const now = () => new Date().toISOString();
const ASOF = { name: 'asOf', description: 'ISO-8601 instant with a time zone; default now' };

/**
 * Support's read-only view of an account, reconstructed from the event history. Credentials: the
 * operator key, an admin key of the account in the route, or the auditor key (SupportGuard).
 */
@ApiTags('support')
@ApiBearerAuth()
@Controller('support/accounts/:accountId')
@UseGuards(SupportGuard)
export class SupportController {
  constructor(private readonly queries: SupportQueries) {}

  @Get('users')
  @SupportRoute('Users whose userName starts with the text, case-insensitively', SupportSchemas.search, [{ name: 'userName', description: 'prefix, 1 to 256 characters', required: true }, { name: 'includeDeleted', description: 'true: also deleted users, from the history' }])
  search(@Param('accountId') accountId: string, @Query('userName') userName: unknown, @Query('includeDeleted') includeDeleted: unknown) {
    return this.queries.search(accountId, textParam('userName', userName, 256), includeDeleted === 'true');
  }

  /** Every role the user holds (or held) and why; `asOf` explains an earlier instant. */
  @Get('users/:userId/explain')
  @SupportRoute('Every role the user holds or held, with its provenance chain', SupportSchemas.explain, [{ name: 'asOf', description: 'explain an earlier instant (ISO-8601 with a time zone)' }])
  explain(@Param('accountId') accountId: string, @Param('userId') userId: string, @Query('asOf') asOf: unknown) {
    return this.queries.explain(accountId, userId, asOf === undefined ? undefined : instantParam('asOf', asOf));
  }

  @Get('users/:userId/timeline')
  @SupportRoute("The user's history in words", SupportSchemas.timeline)
  timeline(@Param('accountId') accountId: string, @Param('userId') userId: string) {
    return this.queries.timeline(accountId, userId);
  }

  @Get('users/:userId/roles')
  @SupportRoute("The user's roles at an instant", SupportSchemas.roles, [ASOF])
  roles(@Param('accountId') accountId: string, @Param('userId') userId: string, @Query('asOf') asOf: unknown) {
    return this.queries.rolesAsOf(accountId, userId, instantParam('asOf', asOf, now));
  }

  /** Who held role R in this account at time T. */
  @Get('roles/:role/holders')
  @SupportRoute('Who held the role at an instant', SupportSchemas.holders, [ASOF])
  holders(@Param('accountId') accountId: string, @Param('role') role: string, @Query('asOf') asOf: unknown) {
    return this.queries.roleHolders(accountId, role, instantParam('asOf', asOf, now));
  }

  /** Every user's effective roles at time T. */
  @Get('access')
  @SupportRoute("Every user's effective roles at an instant", SupportSchemas.access, [ASOF])
  access(@Param('accountId') accountId: string, @Query('asOf') asOf: unknown) {
    return this.queries.access(accountId, instantParam('asOf', asOf, now));
  }

  /** Per user, the effective roles gained and lost between two instants. */
  @Get('access-diff')
  @SupportRoute('Per user, the roles gained and lost between two instants', SupportSchemas.accessDiff, [{ name: 'from', description: 'ISO-8601 instant with a time zone', required: true }, { name: 'to', description: 'default now' }])
  accessDiff(@Param('accountId') accountId: string, @Query('from') from: unknown, @Query('to') to: unknown) {
    const [fromInstant, toInstant] = [instantParam('from', from), instantParam('to', to, now)];
    if (Date.parse(fromInstant) > Date.parse(toInstant)) throw new ScimError(400, 'from must not be after to', 'invalidValue');
    return this.queries.accessDiff(accountId, fromInstant, toInstant);
  }

  @Get('groups/:groupId/members')
  @SupportRoute("The group's members at an instant", SupportSchemas.members, [ASOF])
  members(@Param('accountId') accountId: string, @Param('groupId') groupId: string, @Query('asOf') asOf: unknown) {
    return this.queries.groupMembers(accountId, groupId, instantParam('asOf', asOf, now));
  }

  /** Recent IdP requests with their outcomes, most recent first. */
  @Get('activity')
  @SupportRoute('Recent IdP requests with their outcome (accepted or refused, and why), most recent first', SupportSchemas.activity, [{ name: 'limit', description: '1 to 500, default 50' }])
  activity(@Param('accountId') accountId: string, @Query('limit') limit: unknown) {
    return this.queries.activity(accountId, limitParam(limit, { fallback: 50, max: 500 }));
  }
}
