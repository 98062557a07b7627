import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ScimError } from '@scim/scim-protocol';
import { noteRefusal, requestOf } from '../shared/request-context';

const OPERATOR_ONLY = 'admin:operator-only';
/** Platform-level routes (creating accounts, issuing admin keys): the operator key only. */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);

/**
 * The admin API's callers, as the request edge authenticated them (Credentials): the platform
 * operator for everything, or an account admin key that acts only on the account in the route.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = requestOf(context);
    const principal = request.principal;
    if (principal?.kind === 'operator') {
      request.admin = { kind: 'operator' };
      return true;
    }
    if (principal?.kind !== 'account-admin' || principal.accountId !== String(request.params.accountId ?? '')) {
      throw new ScimError(401, 'Admin credential missing or wrong: use the operator key or an admin key of this account');
    }
    if (this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, [context.getHandler(), context.getClass()])) {
      noteRefusal(request, 'admin', 'operator-only');
      throw new ForbiddenException('Only the platform operator may do this');
    }
    request.admin = { kind: 'account-admin', adminId: principal.adminId };
    return true;
  }
}
