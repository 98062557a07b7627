import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';
import { requestOf } from '../shared/request-context';

/**
 * Lets through the events key the request edge authenticated (Credentials) for the account in the
 * route: the edge checked it before anything else, counted a wrong one against the client
 * address, and admitted it under the per-credential limit.
 */
@Injectable()
export class EventsKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = requestOf(context);
    const principal = request.principal;
    if (principal?.kind !== 'events-key' || principal.accountId !== String(request.params.accountId ?? '')) {
      throw new ScimError(403, 'This events key is not valid for this account');
    }
    return true;
  }
}
