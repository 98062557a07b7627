import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError, type AccountState } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { AdminContext, type AdminCommandContext } from '../../shared/request-context';
import { RunAccountCommand } from '../account-command';
import { AdminGuard } from '../admin.guard';
import { RetentionPolicyDto, RetentionPolicyResponseDto } from './retention.dto';

/** The account's retention of deprovisioned users (GDPR Art. 5(1)(e)); off unless set. */
@ApiTags('users and groups')
@ApiBearerAuth()
@Controller('admin/accounts/:accountId/retention')
@UseGuards(AdminGuard)
export class RetentionController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly readStore: ReadStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'How long deprovisioned users are kept before they are erased' })
  @ApiOkResponse({ type: RetentionPolicyResponseDto })
  async get(@Param('accountId') accountId: string): Promise<RetentionPolicyResponseDto> {
    const account = await this.readStore.get<AccountView>(Collections.accounts, accountId);
    if (!account) throw new DomainError('account_not_found', 'Account not found');
    return { accountId, eraseDeprovisionedAfterDays: account.eraseDeprovisionedAfterDays ?? null };
  }

  @Put()
  @ApiOperation({ summary: 'Erase deprovisioned users automatically after this many days (null: never)' })
  @ApiOkResponse({ type: RetentionPolicyResponseDto })
  async set(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: RetentionPolicyDto): Promise<RetentionPolicyResponseDto> {
    const command = { type: 'SetRetentionPolicy' as const, eraseDeprovisionedAfterDays: body.eraseDeprovisionedAfterDays, at: context.at };
    const state = await this.commandBus.execute<RunAccountCommand, AccountState>(new RunAccountCommand({ ...context, accountId }, command));
    return { accountId, eraseDeprovisionedAfterDays: state.status === 'open' ? (state.eraseDeprovisionedAfterDays ?? null) : null };
  }
}
