import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ReadStore } from '@scim/read-models';
import { Collections, type AccountView } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import { bearerOf, parseCredential, secretMatches } from '../scim/scim-token';
import type { AuthenticatedRequest } from '../shared/request-context';

export const OPERATOR_KEY = Symbol('OPERATOR_KEY');

const OPERATOR_ONLY = 'admin:operator-only';
/** Platform-level routes (creating accounts, issuing admin keys): the operator key only. */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * The admin API's credentials: the platform operator's key (OPERATOR_KEY, or DATA_DIR/
 * operator.key) for everything, or an account admin key (`admin.<id>.<secret>`) that acts only
 * on the account in the route. Both compared in constant time.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly operatorDigest: Buffer;

  constructor(
    @Inject(OPERATOR_KEY) operatorKey: string,
    private readonly readStore: ReadStore,
    private readonly reflector: Reflector,
  ) {
    this.operatorDigest = digest(operatorKey);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const bearer = bearerOf(request.header('authorization')) ?? '';
    if (timingSafeEqual(digest(bearer), this.operatorDigest)) {
      request.admin = { kind: 'operator' };
      return true;
    }
    const accountId = String(request.params.accountId ?? '');
    const parsed = parseCredential('admin', bearer);
    const account = parsed && accountId ? await this.readStore.get<AccountView>(Collections.accounts, accountId) : null;
    const key = account?.adminKeys.find((k) => k.keyId === parsed?.id && !k.revokedAt);
    if (!secretMatches(parsed?.secret ?? '', key?.secretHash) || !key) {
      throw new ScimError(401, 'Admin credential missing or wrong: use the operator key or an admin key of this account');
    }
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()) {
      throw new ScimError(401, `The admin key expired at ${key.expiresAt}; ask the platform operator for a new one`);
    }
    if (this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, [context.getHandler(), context.getClass()])) {
      throw new ForbiddenException('Only the platform operator may do this');
    }
    request.admin = { kind: 'account-admin', adminId: key.keyId };
    return true;
  }
}
