import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { DomainError, type AccountCommand, type AccountState } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { generateScimToken } from '../scim/scim-token';
import { OperatorContext, type CommandContext } from '../shared/request-context';
import { CreateAccountDto, IssueTokenDto } from './admin.dto';
import { RunAccountCommand } from './account-command';
import { OperatorGuard } from './operator.guard';

type OperatorCommandContext = Omit<CommandContext, 'accountId'>;

/** Platform operator API: accounts, SCIM switch and tokens. */
@Controller('admin/accounts')
@UseGuards(OperatorGuard)
export class AccountsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly readStore: ReadStore,
    private readonly baseUrls: ScimBaseUrl,
  ) {}

  @Post()
  async create(@OperatorContext() context: OperatorCommandContext, @Body() body: CreateAccountDto, @Req() request: Request) {
    const accountId = randomUUID();
    await this.run(context, accountId, { type: 'CreateAccount', accountId, name: body.name, at: context.at });
    return { accountId, name: body.name, scimBaseUrl: this.baseUrls.of(request, accountId) };
  }

  @Post(':accountId/scim/enable')
  @HttpCode(200)
  async enable(@OperatorContext() context: OperatorCommandContext, @Param('accountId') accountId: string, @Req() request: Request) {
    await this.run(context, accountId, { type: 'EnableScimProvisioning', at: context.at });
    return { accountId, scimEnabled: true, scimBaseUrl: this.baseUrls.of(request, accountId) };
  }

  @Post(':accountId/scim/disable')
  @HttpCode(200)
  async disable(@OperatorContext() context: OperatorCommandContext, @Param('accountId') accountId: string) {
    await this.run(context, accountId, { type: 'DisableScimProvisioning', at: context.at });
    return { accountId, scimEnabled: false };
  }

  /** The token is in this response only; the service keeps nothing but its hash. */
  @Post(':accountId/scim/tokens')
  async issueToken(@OperatorContext() context: OperatorCommandContext, @Param('accountId') accountId: string, @Body() body: IssueTokenDto) {
    const { tokenId, token, secretHash } = generateScimToken();
    const command: AccountCommand = { type: 'IssueScimToken', tokenId, secretHash, label: body.label ?? '', validForDays: body.validForDays, at: context.at };
    const state = await this.run(context, accountId, command);
    const issued = state.status === 'open' ? state.tokens.find((t) => t.tokenId === tokenId) : undefined;
    return { tokenId, token, label: command.label, issuedAt: issued?.issuedAt, expiresAt: issued?.expiresAt };
  }

  @Get(':accountId/scim/tokens')
  async listTokens(@Param('accountId') accountId: string) {
    const account = await this.readStore.get<AccountView>(Collections.accounts, accountId);
    if (!account) throw new DomainError('account_not_found', 'Account not found');
    return account.tokens.map(({ tokenId, label, issuedAt, expiresAt, revokedAt }) => ({ tokenId, label, issuedAt, expiresAt, revokedAt }));
  }

  @Delete(':accountId/scim/tokens/:tokenId')
  @HttpCode(204)
  async revokeToken(@OperatorContext() context: OperatorCommandContext, @Param('accountId') accountId: string, @Param('tokenId') tokenId: string) {
    await this.run(context, accountId, { type: 'RevokeScimToken', tokenId, at: context.at });
  }

  private run(context: OperatorCommandContext, accountId: string, command: AccountCommand): Promise<AccountState> {
    return this.commandBus.execute<RunAccountCommand, AccountState>(new RunAccountCommand({ ...context, accountId }, command));
  }
}
