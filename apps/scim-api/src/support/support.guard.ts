import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ScimError } from '@scim/scim-protocol';
import { malformedBearerReason } from '../scim/scim-token';
import { AdminGuard } from '../admin/admin.guard';
import { AuditGuard } from '../audit/audit.guard';

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
    try {
      return await this.admin.canActivate(context);
    } catch (refusal) {
      if (!(refusal instanceof ScimError) || refusal.status !== 401) throw refusal;
    }
    try {
      return this.audit.canActivate(context);
    } catch (refusal) {
      if (!(refusal instanceof ScimError) || refusal.status !== 401) throw refusal;
      const authorization = context.switchToHttp().getRequest<Request>().header('authorization');
      const malformed = malformedBearerReason(authorization);
      if (malformed) throw new ScimError(401, malformed);
      throw new ScimError(401, 'Support credential missing or wrong: use the operator key, an admin key of this account, or the auditor key');
    }
  }
}
