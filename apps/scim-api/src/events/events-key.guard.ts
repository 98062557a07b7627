import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import { bearerOf, parseCredential, secretMatches } from '../scim/scim-token';
import type { AuthenticatedRequest } from '../shared/request-context';

/**
 * The events API's credential: a read-only events key (`events.<id>.<secret>`) issued for the
 * account in the route. A key of another account, a revoked key or a wrong secret is a 403 that
 * does not say which, so nothing learns whether an account or key exists.
 */
@Injectable()
export class EventsKeyGuard implements CanActivate {
  constructor(private readonly readStore: ReadStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const parsed = parseCredential('events', bearerOf(request.header('authorization')) ?? '');
    if (!parsed) throw new ScimError(401, 'Events API credential missing: send Authorization: Bearer events.<id>.<secret>, issued by an administrator of the account');
    const account = await this.readStore.get<AccountView>(Collections.accounts, String(request.params.accountId ?? ''));
    const key = (account?.eventsKeys ?? []).find((k) => k.keyId === parsed.id && !k.revokedAt);
    // Compared even when no key matched, so the time taken tells nothing either.
    if (!secretMatches(parsed.secret, key?.secretHash) || !key) throw new ScimError(403, 'This events key is not valid for this account');
    return true;
  }
}
