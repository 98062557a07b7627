import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventsKeyDto, IssuedEventsKeyDto } from '../webhooks/webhooks-responses.dto';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { DomainError, type AccountCommand, type AccountState } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { RunAccountCommand } from '../admin/account-command';
import { CredentialLabelDto } from '../admin/admin.dto';
import { AdminGuard } from '../admin/admin.guard';
import { generateCredential } from '../scim/scim-token';
import { AdminContext, type AdminCommandContext } from '../shared/request-context';

/** Read-only keys for the account's events API, issued by its administrators like admin keys. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('admin/accounts/:accountId/events-keys')
@UseGuards(AdminGuard)
export class EventsKeysController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly readStore: ReadStore,
  ) {}

  /** The key is in this response only; the service keeps nothing but its hash. */
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Issue a read-only events API key for this account (shown once)' })
  @ApiCreatedResponse({ type: IssuedEventsKeyDto })
  async issue(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: CredentialLabelDto) {
    const { id: keyId, token: key, secretHash } = generateCredential('events');
    const label = body.label ?? '';
    await this.run(context, accountId, { type: 'IssueEventsKey', keyId, secretHash, label, at: context.at });
    return { keyId, key, label };
  }

  @Get()
  @ApiOperation({ summary: 'List events API keys (never their secrets)' })
  @ApiOkResponse({ type: [EventsKeyDto] })
  async list(@Param('accountId') accountId: string) {
    const account = await this.readStore.get<AccountView>(Collections.accounts, accountId);
    if (!account) throw new DomainError('account_not_found', 'Account not found');
    return (account.eventsKeys ?? []).map(({ keyId, label, issuedAt, revokedAt }) => ({ keyId, label, issuedAt, revokedAt, status: revokedAt ? 'revoked' : 'active' }));
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an events API key' })
  async revoke(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('keyId') keyId: string) {
    await this.run(context, accountId, { type: 'RevokeEventsKey', keyId, at: context.at });
  }

  private run(context: AdminCommandContext, accountId: string, command: AccountCommand): Promise<AccountState> {
    return this.commandBus.execute(new RunAccountCommand({ ...context, accountId }, command));
  }
}
