import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ReadStore } from '@scim/read-models';
import { AccountView, Collections } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import { noteRefusal, type AuthenticatedRequest } from '../shared/request-context';
import { bearerOf, parseCredential, secretMatches } from './scim-token';

/**
 * Authenticates the IdP for the account in the URL. A token of account A never opens account B:
 * the token id is looked up only among the tokens of the account the URL names.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(private readonly readStore: ReadStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const accountId = String(request.params.accountId ?? '');
    const bearer = bearerOf(request.header('authorization'));
    if (!bearer) {
      noteRefusal(request, 'scim', 'missing');
      throw new ScimError(401, 'Missing bearer token: send "Authorization: Bearer <token>"');
    }

    const parsed = parseCredential('scim', bearer);
    const account = accountId ? await this.readStore.get<AccountView>(Collections.accounts, accountId) : null;
    const token = parsed ? account?.tokens.find((t) => t.tokenId === parsed.id) : undefined;
    const secretOk = secretMatches(parsed?.secret ?? '', token?.secretHash);
    if (!account || !token || !secretOk) {
      // Tokens are looked up in the URL's account only: another account's token is an unknown one here.
      noteRefusal(request, 'scim', !parsed ? 'malformed' : !account ? 'unknown-account' : !token ? 'unknown-credential' : 'wrong-secret');
      throw new ScimError(401, 'The bearer token is not valid for this SCIM base URL');
    }
    if (token.revokedAt) {
      noteRefusal(request, 'scim', 'revoked');
      throw new ScimError(401, 'The bearer token was revoked; issue a new one in the account settings');
    }
    if (Date.parse(token.expiresAt) <= Date.now()) {
      noteRefusal(request, 'scim', 'expired');
      throw new ScimError(401, `The bearer token expired at ${token.expiresAt}; issue a new one in the account settings`);
    }
    if (!account.scimEnabled) {
      noteRefusal(request, 'scim', 'scim-disabled');
      throw new ScimError(403, 'SCIM provisioning is disabled for this account; an account administrator can enable it');
    }
    request.scimCaller = { accountId: account._id, tokenId: token.tokenId };
    return true;
  }
}
