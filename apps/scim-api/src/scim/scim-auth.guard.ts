import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';
import { requestOf } from '../shared/request-context';
import { TokenUsage } from './token-usage';

/**
 * Lets through the IdP the request edge authenticated (Credentials) for the account in the URL;
 * the edge checked the token before reading the body, so this only confirms the principal.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(private readonly usage: TokenUsage) {}

  canActivate(context: ExecutionContext): boolean {
    const request = requestOf(context);
    const principal = request.principal;
    if (principal?.kind !== 'scim-token' || principal.accountId !== String(request.params.accountId ?? '')) {
      throw new ScimError(401, 'The bearer token is not valid for this SCIM base URL');
    }
    request.scimCaller = { accountId: principal.accountId, tokenId: principal.tokenId };
    // Only a request the token authenticated counts as a use.
    this.usage.record(principal.tokenId);
    return true;
  }
}
