import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ReadStore } from '@scim/read-models';
import { AccountView, Collections } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import type { AuthenticatedRequest } from '../shared/request-context';
import { bearerOf, missingBearerReason, parseCredential, secretMatches } from './scim-token';
import { TokenUsage } from './token-usage';

const NEW_TOKEN = 'an account administrator can generate a new one in the console (/console, Identity and access > Generate token) or with POST /admin/accounts/{accountId}/scim/tokens';

/**
 * Authenticates the IdP for the account in the URL. A token of account A never opens account B:
 * the token id is looked up only among the tokens of the account the URL names.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(
    private readonly readStore: ReadStore,
    private readonly usage: TokenUsage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const accountId = String(request.params.accountId ?? '');
    const authorization = request.header('authorization');
    const bearer = bearerOf(authorization);
    if (!bearer) throw new ScimError(401, missingBearerReason(authorization));

    const parsed = parseCredential('scim', bearer);
    const account = accountId ? await this.readStore.get<AccountView>(Collections.accounts, accountId) : null;
    const token = parsed ? account?.tokens.find((t) => t.tokenId === parsed.id) : undefined;
    const secretOk = secretMatches(parsed?.secret ?? '', token?.secretHash);
    if (!account || !token || !secretOk) throw new ScimError(401, 'The bearer token is not valid for this SCIM base URL');
    if (token.revokedAt) throw new ScimError(401, `The bearer token was revoked at ${token.revokedAt}; ${NEW_TOKEN}`);
    if (Date.parse(token.expiresAt) <= Date.now()) throw new ScimError(401, `The bearer token expired at ${token.expiresAt}; ${NEW_TOKEN}`);
    // Only a request the token authenticated counts as a use.
    this.usage.record(token.tokenId);
    if (!account.scimEnabled) {
      throw new ScimError(403, 'SCIM provisioning is disabled for this account; an account administrator can enable it');
    }
    request.scimCaller = { accountId: account._id, tokenId: token.tokenId };
    return true;
  }
}
