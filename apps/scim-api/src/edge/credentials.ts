import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ReadStore } from '@scim/read-models';
import { AccountView, Collections } from '@scim/read-models/projections';
import { ScimError } from '@scim/scim-protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { resolveAuditorKey, resolveOperatorKey } from '../config/operator-key';
import { bearerOf, malformedBearerReason, missingBearerReason, parseCredential, secretMatches } from '../scim/scim-token';
import type { AuthRefusalKind, Principal } from '../shared/request-context';
import type { Realm } from './edge-routes';

const NEW_TOKEN = 'an account administrator can generate a new one in the console (/console, Identity and access > Generate token) or with POST /admin/accounts/{accountId}/scim/tokens';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The one place credentials are checked: the request edge calls it from the headers alone, before
 * any body byte is read, and the guards only look at the principal it resolved. A 401 here is a
 * failed authentication (counted per client address); a 403 is a good credential refused.
 *
 * - SCIM: a token of the account in the URL. A token of account A never opens account B: its id is
 *   looked up only among the tokens of the account the URL names.
 * - admin: the operator key, or an admin key (`admin.<id>.<secret>`) of the account in the route.
 * - audit: the auditor key or the operator key.
 * - support: any of the admin or audit credentials.
 * Every secret is compared in constant time, also when nothing matched before.
 */
@Injectable()
export class Credentials {
  private readonly operatorDigest: Buffer;
  private readonly auditorDigest: Buffer | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly readStore: ReadStore,
  ) {
    this.operatorDigest = digest(resolveOperatorKey(config).key);
    const auditor = resolveAuditorKey(config);
    this.auditorDigest = auditor ? digest(auditor.key) : undefined;
  }

  async authenticate(realm: Realm, accountId: string | undefined, authorization: string | undefined): Promise<Principal> {
    const bearer = bearerOf(authorization);
    // A header that is there but unusable ("Bearer Bearer …") is told apart from a wrong key.
    const malformed = malformedBearerReason(authorization);
    if (malformed) refuse(malformed, 'malformed');
    switch (realm) {
      case 'scim':
        return this.scimToken(accountId, bearer);
      case 'admin': {
        const admin = await this.admin(accountId, bearer ?? '');
        return typeof admin === 'object' ? admin : refuse('Admin credential missing or wrong: use the operator key or an admin key of this account', bearer ? admin : 'missing');
      }
      case 'audit':
        return this.platform(bearer ?? '') ?? refuse('Audit credential missing or wrong: use the auditor key (AUDITOR_KEY or DATA_DIR/auditor.key) or the operator key', bearer ? 'wrong-key' : 'missing');
      case 'support': {
        const admin = await this.admin(accountId, bearer ?? '');
        if (typeof admin === 'object') return admin;
        return (
          this.platform(bearer ?? '') ??
          refuse('Support credential missing or wrong: use the operator key, an admin key of this account, or the auditor key', bearer ? admin : 'missing')
        );
      }
      case 'events':
        return this.eventsKey(accountId, bearer);
      default: {
        const _exhaustive: never = realm;
        return _exhaustive;
      }
    }
  }

  /** Whether `bearer` is the platform operator's key (for routes outside the realms, e.g. metrics). */
  isOperator(bearer: string): boolean {
    return timingSafeEqual(digest(bearer), this.operatorDigest);
  }

  private async scimToken(accountId: string | undefined, bearer: string | undefined): Promise<Principal> {
    if (!bearer) refuse(missingBearerReason(undefined), 'missing');
    const parsed = parseCredential('scim', bearer);
    const account = accountId ? await this.readStore.get<AccountView>(Collections.accounts, accountId) : null;
    const token = parsed ? account?.tokens.find((t) => t.tokenId === parsed.id) : undefined;
    const secretOk = secretMatches(parsed?.secret ?? '', token?.secretHash);
    if (!account || !token || !secretOk) {
      // Tokens are looked up in the URL's account only: another account's token is an unknown one here.
      refuse('The bearer token is not valid for this SCIM base URL', !parsed ? 'malformed' : !account ? 'unknown-account' : !token ? 'unknown-credential' : 'wrong-secret');
    }
    if (token.revokedAt) refuse(`The bearer token was revoked at ${token.revokedAt}; ${NEW_TOKEN}`, 'revoked');
    if (Date.parse(token.expiresAt) <= Date.now()) refuse(`The bearer token expired at ${token.expiresAt}; ${NEW_TOKEN}`, 'expired');
    if (!account.scimEnabled) {
      throw new CredentialRefused(403, 'SCIM provisioning is disabled for this account; an account administrator can enable it', 'scim-disabled');
    }
    return { kind: 'scim-token', accountId: account._id, tokenId: token.tokenId };
  }

  /**
   * The operator or an admin of the account; else why not (for the logs and metrics only). On a
   * route that names no account (`/admin/session`), an admin key is an admin of its own account:
   * the guards then refuse it wherever the route's account is another (or none).
   */
  private async admin(accountId: string | undefined, bearer: string): Promise<Principal | AuthRefusalKind> {
    if (this.isOperator(bearer)) return { kind: 'operator' };
    const parsed = parseCredential('admin', bearer);
    const account = !parsed
      ? null
      : accountId !== undefined
        ? await this.readStore.get<AccountView>(Collections.accounts, accountId)
        : await this.readStore.findOne<AccountView>(Collections.accounts, { 'adminKeys.keyId': parsed.id });
    const key = account?.adminKeys.find((k) => k.keyId === parsed?.id);
    const secretOk = secretMatches(parsed?.secret ?? '', key?.secretHash);
    // Revocation is told apart only to the logs, and only for the right secret.
    if (!secretOk || !key || !account || key.revokedAt) return !parsed ? 'wrong-key' : !key ? 'unknown-credential' : !secretOk ? 'wrong-secret' : 'revoked';
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()) {
      refuse(`The admin key expired at ${key.expiresAt}; ask the platform operator for a new one`, 'expired');
    }
    return { kind: 'account-admin', accountId: account._id, adminId: key.keyId };
  }

  /**
   * A read-only events key of the account in the route. Another account's key, a revoked key or a
   * wrong secret is a 403 that does not say which, so nothing learns whether an account or key exists.
   */
  private async eventsKey(accountId: string | undefined, bearer: string | undefined): Promise<Principal> {
    const parsed = parseCredential('events', bearer ?? '');
    if (!parsed) refuse('Events API credential missing: send Authorization: Bearer events.<id>.<secret>, issued by an administrator of the account', bearer ? 'malformed' : 'missing');
    const account = accountId ? await this.readStore.get<AccountView>(Collections.accounts, accountId) : null;
    const key = (account?.eventsKeys ?? []).find((k) => k.keyId === parsed.id);
    // Compared even when no key matched, so the time taken tells nothing either.
    const secretOk = secretMatches(parsed.secret, key?.secretHash);
    if (!secretOk || !key || !account || key.revokedAt) {
      throw new CredentialRefused(403, 'This events key is not valid for this account', !account ? 'unknown-account' : !key ? 'unknown-credential' : !secretOk ? 'wrong-secret' : 'revoked');
    }
    return { kind: 'events-key', accountId: account._id, keyId: key.keyId };
  }

  /** The operator's or the auditor's key; both compared whatever matched. */
  private platform(bearer: string): Principal | undefined {
    const presented = digest(bearer);
    const operator = timingSafeEqual(presented, this.operatorDigest);
    const auditor = timingSafeEqual(presented, this.auditorDigest ?? this.operatorDigest) && this.auditorDigest !== undefined;
    if (operator) return { kind: 'operator' };
    return auditor ? { kind: 'auditor' } : undefined;
  }
}

/** A refused credential; `kind` says why, to the request log and the metrics only. */
export class CredentialRefused extends ScimError {
  constructor(
    status: 401 | 403,
    detail: string,
    readonly kind: AuthRefusalKind,
  ) {
    super(status, detail);
  }
}

function refuse(detail: string, kind: AuthRefusalKind): never {
  throw new CredentialRefused(401, detail, kind);
}
