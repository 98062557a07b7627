import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';
import { AdminGuard } from '../admin/admin.guard';
import { AuditGuard } from '../audit/audit.guard';
import { noteRefusal, type AuthenticatedRequest } from '../shared/request-context';

/**
 * Support reads what an account's administrators and the platform's auditors may read: the
 * operator key or an admin key of the account in the route (AdminGuard), or the read-only auditor
 * key (AuditGuard). Nest's guards are all-of, so this one asks them in turn.
 */
@Injectable()
export class SupportGuard implements CanActivate {
  constructor(
    private readonly admin: AdminGuard,
    private readonly audit: AuditGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      return await this.admin.canActivate(context);
    } catch (refusal) {
      if (!(refusal instanceof ScimError) || refusal.status !== 401) throw refusal;
    }
    // The admin guard's reason says more than the auditor's (one key: right or wrong).
    const adminKind = request.authRefusal?.kind ?? 'wrong-key';
    try {
      const allowed = this.audit.canActivate(context);
      request.authRefusal = undefined;
      return allowed;
    } catch (refusal) {
      if (!(refusal instanceof ScimError) || refusal.status !== 401) throw refusal;
      noteRefusal(request, 'support', adminKind);
      throw new ScimError(401, 'Support credential missing or wrong: use the operator key, an admin key of this account, or the auditor key');
    }
  }
}
