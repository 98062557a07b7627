import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountDto, AccountPageDto, AdminKeyPageDto, CreatedAccountDto, CustomAttributeDto, CustomAttributePageDto, IssuedAdminKeyDto, IssuedTokenDto, RoleDto, RolePageDto, ScimSwitchDto, TokenPageDto } from './admin-responses.dto';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { DomainError, type AccountCommand, type AccountState } from '@scim/domain';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { ScimBaseUrl } from '../scim/scim-base-url';
import { generateCredential } from '../scim/scim-token';
import { TokenUsage } from '../scim/token-usage';
import { pageOf } from '../scim/paging';
import { AdminContext, type AdminCommandContext } from '../shared/request-context';
import { CreateAccountDto, DeclareCustomAttributeDto, DefineRoleDto, UndeclaredExtensionsDto, IssueAdminKeyDto, IssueTokenDto, PageQueryDto, SearchQueryDto } from './admin.dto';
import { RunAccountCommand } from './account-command';
import { CreateDefaultGroupsCommand } from './admin-commands';
import { adminPageOf, pageOfList } from './admin-page';
import { AdminGuard, OperatorOnly } from './admin.guard';

function credentialStatus(revokedAt: string | undefined, expiresAt: string | undefined, now: number): 'revoked' | 'expired' | 'active' {
  if (revokedAt) return 'revoked';
  return expiresAt !== undefined && Date.parse(expiresAt) <= now ? 'expired' : 'active';
}

/** Accounts, their SCIM switch, bearer tokens, admin keys and role catalogue. */
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('admin/accounts')
@UseGuards(AdminGuard)
export class AccountsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly readStore: ReadStore,
    private readonly baseUrls: ScimBaseUrl,
    private readonly usage: TokenUsage,
  ) {}

  @Get()
  @OperatorOnly()
  @ApiOperation({ summary: 'List accounts (platform operator); search is a case-insensitive prefix of the name' })
  @ApiOkResponse({ type: AccountPageDto })
  async list(@Query() params: SearchQueryDto) {
    // Accounts number in the hundreds, not millions: a case-insensitive regex needs no folded copy of the name.
    const search = params.search?.trim() ? { name: { $regex: `^${escapeRegExp(params.search.trim())}`, $options: 'i' } } : undefined;
    const page = await pageOf<AccountView>(this.readStore, Collections.accounts, {}, search, params);
    return adminPageOf(page, ({ _id, name, createdAt, scimEnabled }) => ({ accountId: _id, name, createdAt, scimEnabled }));
  }

  /** With the default role catalogue (the decider adds it) and the default Platform groups mapped to it. */
  @Post()
  @OperatorOnly()
  @ApiOperation({ summary: 'Create an account (platform operator), with the default Platform groups and roles' })
  @ApiCreatedResponse({ type: CreatedAccountDto })
  async create(@AdminContext() context: AdminCommandContext, @Body() body: CreateAccountDto, @Req() request: Request) {
    const accountId = randomUUID();
    await this.run(context, accountId, { type: 'CreateAccount', accountId, name: body.name, at: context.at });
    await this.commandBus.execute(new CreateDefaultGroupsCommand({ ...context, accountId }));
    return { accountId, name: body.name, scimBaseUrl: this.baseUrls.of(request, accountId) };
  }

  @Get(':accountId')
  @ApiOperation({ summary: 'The account, its SCIM base URL and whether SCIM is enabled' })
  @ApiOkResponse({ type: AccountDto })
  async get(@Param('accountId') accountId: string, @Req() request: Request) {
    const { name, createdAt, scimEnabled } = await this.account(accountId);
    return { accountId, name, createdAt, scimEnabled, scimBaseUrl: this.baseUrls.of(request, accountId) };
  }

  /** The key is in this response only; the service keeps nothing but its hash. */
  @Post(':accountId/admin-keys')
  @OperatorOnly()
  @ApiOperation({ summary: "Issue an account administrator's API key (shown once)" })
  @ApiCreatedResponse({ type: IssuedAdminKeyDto })
  async issueAdminKey(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: IssueAdminKeyDto) {
    const { id: keyId, token: key, secretHash } = generateCredential('admin');
    const label = body.label ?? '';
    const validity = body.validForDays === undefined ? {} : { validForDays: body.validForDays };
    const state = await this.run(context, accountId, { type: 'IssueAdminKey', keyId, secretHash, label, ...validity, at: context.at });
    const issued = state.status === 'open' ? state.adminKeys.find((k) => k.keyId === keyId) : undefined;
    return { keyId, key, label, issuedAt: issued?.issuedAt, expiresAt: issued?.expiresAt ?? null };
  }

  @Get(':accountId/admin-keys')
  @ApiOperation({ summary: "The account's admin keys: id, label, issued, expires (null: never), revoked (never the secret)" })
  @ApiOkResponse({ type: AdminKeyPageDto })
  async listAdminKeys(@Param('accountId') accountId: string, @Query() params: PageQueryDto) {
    const { adminKeys } = await this.account(accountId);
    const now = Date.now();
    const keys = adminKeys.map(({ keyId, label, issuedAt, expiresAt, revokedAt }) => ({
      keyId,
      label,
      issuedAt,
      expiresAt: expiresAt ?? null,
      revokedAt,
      status: credentialStatus(revokedAt, expiresAt, now),
    }));
    return pageOfList(keys, params);
  }

  @Delete(':accountId/admin-keys/:keyId')
  @OperatorOnly()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'revoked' })
  async revokeAdminKey(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('keyId') keyId: string) {
    await this.run(context, accountId, { type: 'RevokeAdminKey', keyId, at: context.at });
  }

  @Post(':accountId/scim/enable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Enable SCIM provisioning; answers the SCIM base URL to paste into the IdP' })
  @ApiOkResponse({ type: ScimSwitchDto })
  async enable(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Req() request: Request) {
    await this.run(context, accountId, { type: 'EnableScimProvisioning', at: context.at });
    return { accountId, scimEnabled: true, scimBaseUrl: this.baseUrls.of(request, accountId) };
  }

  @Post(':accountId/scim/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable SCIM provisioning: SCIM calls are refused with 403 until enabled again' })
  @ApiOkResponse({ type: ScimSwitchDto })
  async disable(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string) {
    await this.run(context, accountId, { type: 'DisableScimProvisioning', at: context.at });
    return { accountId, scimEnabled: false };
  }

  /** The token is in this response only; the service keeps nothing but its hash. */
  @Post(':accountId/scim/tokens')
  @ApiOperation({ summary: 'Issue a SCIM bearer token valid for the chosen number of days (shown once)' })
  @ApiCreatedResponse({ type: IssuedTokenDto })
  async issueToken(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: IssueTokenDto) {
    const { id: tokenId, token, secretHash } = generateCredential('scim');
    const label = body.label ?? '';
    const state = await this.run(context, accountId, { type: 'IssueScimToken', tokenId, secretHash, label, validForDays: body.validForDays, at: context.at });
    const issued = state.status === 'open' ? state.tokens.find((t) => t.tokenId === tokenId) : undefined;
    return { tokenId, token, label, issuedAt: issued?.issuedAt, expiresAt: issued?.expiresAt };
  }

  @Get(':accountId/scim/tokens')
  @ApiOperation({ summary: 'List tokens (never their secrets), newest first; two may be active at once for rotation' })
  @ApiOkResponse({ type: TokenPageDto })
  async listTokens(@Param('accountId') accountId: string, @Query() params: PageQueryDto) {
    const account = await this.account(accountId);
    const now = Date.now();
    const tokens = [...account.tokens].reverse().map(({ tokenId, label, issuedAt, expiresAt, revokedAt }) => ({
      tokenId,
      label,
      issuedAt,
      expiresAt,
      revokedAt,
      lastUsedAt: this.usage.lastUsedAt(tokenId),
      status: credentialStatus(revokedAt, expiresAt, now),
    }));
    return pageOfList(tokens, params);
  }

  @Delete(':accountId/scim/tokens/:tokenId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'revoked: the IdP\'s next call with it gets a 401' })
  async revokeToken(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Param('tokenId') tokenId: string) {
    await this.run(context, accountId, { type: 'RevokeScimToken', tokenId, at: context.at });
  }

  @Get(':accountId/roles')
  @ApiOperation({ summary: "The account's role catalogue" })
  @ApiOkResponse({ type: RolePageDto })
  async roles(@Param('accountId') accountId: string, @Query() params: PageQueryDto) {
    return pageOfList((await this.account(accountId)).roles, params);
  }

  @Post(':accountId/roles')
  @ApiOperation({ summary: 'Add a role to the catalogue' })
  @ApiCreatedResponse({ type: RoleDto })
  async defineRole(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: DefineRoleDto) {
    await this.run(context, accountId, { type: 'DefineRole', role: body.role, description: body.description ?? '', at: context.at });
    return { role: body.role.trim(), description: body.description ?? '' };
  }

  @Get(':accountId/custom-attributes')
  @ApiOperation({ summary: "The attributes of the account's schema extensions, as /Schemas shows them to its SCIM clients" })
  @ApiOkResponse({ type: CustomAttributePageDto })
  async customAttributes(@Param('accountId') accountId: string, @Query() params: PageQueryDto) {
    return pageOfList((await this.account(accountId)).customAttributes, params);
  }

  @Post(':accountId/custom-attributes')
  @ApiOperation({ summary: 'Declare an attribute of a schema extension (RFC 7643 §3.3): SCIM clients may then send, filter and select it' })
  @ApiCreatedResponse({ type: CustomAttributeDto })
  async declareCustomAttribute(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: DeclareCustomAttributeDto) {
    const state = await this.run(context, accountId, {
      type: 'DeclareCustomAttribute',
      resourceType: body.resourceType,
      schemaUrn: body.schemaUrn,
      name: body.name,
      attributeType: body.type,
      multiValued: body.multiValued ?? false,
      caseExact: body.caseExact ?? false,
      required: body.required ?? false,
      uniqueness: body.uniqueness ?? 'none',
      description: body.description ?? '',
      at: context.at,
    });
    // The declaration just recorded is the state's last one.
    return state.status === 'open' ? state.customAttributes[state.customAttributes.length - 1] : undefined;
  }

  @Put(':accountId/undeclared-extensions')
  @ApiOperation({ summary: 'What SCIM writes do with a schema extension the account has not declared: refuse it (400, the default) or, while migrating an IdP, accept the request without it and record a note' })
  @ApiOkResponse({ type: UndeclaredExtensionsDto })
  async setUndeclaredExtensions(@AdminContext() context: AdminCommandContext, @Param('accountId') accountId: string, @Body() body: UndeclaredExtensionsDto) {
    const state = await this.run(context, accountId, { type: 'SetUndeclaredExtensionsPolicy', policy: body.policy, at: context.at });
    return { policy: state.status === 'open' ? state.undeclaredExtensions : body.policy };
  }

  private async account(accountId: string): Promise<AccountView> {
    const account = await this.readStore.get<AccountView>(Collections.accounts, accountId);
    if (!account) throw new DomainError('account_not_found', 'Account not found');
    return account;
  }

  private run(context: AdminCommandContext, accountId: string, command: AccountCommand): Promise<AccountState> {
    return this.commandBus.execute(new RunAccountCommand({ ...context, accountId }, command));
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
