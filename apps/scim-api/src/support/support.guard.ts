import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';
import { requestOf } from '../shared/request-context';

/**
 * Support reads what an account's administrators and the platform's auditors may read: callers the
 * request edge authenticated (Credentials) as the operator, the auditor, or an admin key of the
 * account in the route.
 */
@Injectable()
export class SupportGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = requestOf(context);
    const principal = request.principal;
    const accountAdmin = principal?.kind === 'account-admin' && principal.accountId === String(request.params.accountId ?? '');
    if (principal?.kind !== 'operator' && principal?.kind !== 'auditor' && !accountAdmin) {
      throw new ScimError(401, 'Support credential missing or wrong: use the operator key, an admin key of this account, or the auditor key');
    }
    return true;
  }
}
