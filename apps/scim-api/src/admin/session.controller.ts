import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import { AuditGuard } from '../audit/audit.guard';
import { bearerOf, missingBearerReason, parseCredential, secretMatches } from '../scim/scim-token';
import { AdminGuard } from './admin.guard';
import { SessionDto } from './admin-responses.dto';

/**
 * Who a credential is, so the console can sign in with a key alone: an account admin key names
 * no account, so its account is looked up by the key's id (and its secret checked, in constant time).
 */
@ApiTags('session')
@ApiBearerAuth()
@Controller('admin/session')
export class SessionController {
  constructor(
    private readonly admin: AdminGuard,
    private readonly audit: AuditGuard,
    private readonly readStore: ReadStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The role of the presented credential (operator, auditor or account admin, with its account)' })
  @ApiOkResponse({ type: SessionDto })
  async whoAmI(@Req() request: Request): Promise<SessionDto> {
    const authorization = request.header('authorization');
    const bearer = bearerOf(authorization);
    if (bearer === undefined) throw new ScimError(401, missingBearerReason(authorization));
    if (this.admin.isOperator(bearer)) return { role: 'operator' };
    if (this.audit.accepts(bearer)) return { role: 'auditor' };
    const parsed = parseCredential('admin', bearer);
    const account = parsed ? await this.readStore.findOne<AccountView>(Collections.accounts, { 'adminKeys.keyId': parsed.id }) : null;
    const key = account?.adminKeys.find((k) => k.keyId === parsed?.id && !k.revokedAt);
    if (!secretMatches(parsed?.secret ?? '', key?.secretHash) || !account || !key) {
      throw new ScimError(401, 'This key is not the operator key, the auditor key or an active account admin key');
    }
    return { role: 'account-admin', accountId: account._id, accountName: account.name, keyId: key.keyId, keyLabel: key.label };
  }
}
