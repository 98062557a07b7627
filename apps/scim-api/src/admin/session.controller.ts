import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import type { AuthenticatedRequest } from '../shared/request-context';
import { SessionDto } from './admin-responses.dto';

/**
 * Who a credential is, so the console can sign in with a key alone. The request edge authenticated
 * it (Credentials, as a support credential): an admin key names no account, so the edge found the
 * account that holds it.
 */
@ApiTags('session')
@ApiBearerAuth()
@Controller('admin/session')
export class SessionController {
  constructor(private readonly readStore: ReadStore) {}

  @Get()
  @ApiOperation({ summary: 'The role of the presented credential (operator, auditor or account admin, with its account)' })
  @ApiOkResponse({ type: SessionDto })
  async whoAmI(@Req() request: AuthenticatedRequest): Promise<SessionDto> {
    const principal = request.principal;
    if (principal?.kind === 'operator' || principal?.kind === 'auditor') return { role: principal.kind };
    const account = principal?.kind === 'account-admin' ? await this.readStore.get<AccountView>(Collections.accounts, principal.accountId) : null;
    const key = principal?.kind === 'account-admin' ? account?.adminKeys.find((k) => k.keyId === principal.adminId) : undefined;
    if (!account || !key) throw new ScimError(401, 'This key is not the operator key, the auditor key or an active account admin key');
    return { role: 'account-admin', accountId: account._id, accountName: account.name, keyId: key.keyId, keyLabel: key.label };
  }
}
