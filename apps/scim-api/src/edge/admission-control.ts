import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ScimError } from '@scim/scim-protocol';
import { APP_CONFIG, type AppConfig, type RateLimit } from '../config/app-config';
import { Metrics } from '../observability/metrics';
import type { Principal } from '../shared/request-context';
import type { Realm } from './edge-routes';

/** What a 429 was counted against. */
export type LimitScope = 'scim-token' | 'scim-account' | 'credential' | 'failed-authentication';

const SCOPE_DETAIL: Readonly<Record<LimitScope, string>> = {
  'scim-token': 'this SCIM token sent more requests than its limit (RATE_LIMIT_SCIM_TOKEN)',
  'scim-account': "this account's SCIM tokens together sent more requests than its limit (RATE_LIMIT_SCIM_ACCOUNT)",
  credential: 'this credential sent more requests than its limit (RATE_LIMIT_CREDENTIAL)',
  'failed-authentication': 'too many failed authentications from this client address (RATE_LIMIT_FAILED_AUTH)',
};

/** A 429 (RFC 6585 §4) that tells the client when to retry; the exception filter sends `Retry-After`. */
export class RateLimited extends ScimError {
  constructor(
    readonly scope: LimitScope,
    readonly retryAfterSeconds: number,
  ) {
    super(429, `Too many requests: ${SCOPE_DETAIL[scope]}. Retry after ${retryAfterSeconds} s.`);
  }
}

/**
 * Admission control, before any body byte is read: fixed windows per SCIM token, per account,
 * per admin/audit/support credential, and per client address for failed authentications. The
 * counters live in this process (rate-limiter-flexible's memory store, a Map): each API replica
 * admits its own share. Disabled with RATE_LIMITS=off.
 */
@Injectable()
export class AdmissionControl {
  private readonly limiters: ReadonlyMap<LimitScope, RateLimiterMemory>;
  /** False with RATE_LIMITS=off: the edge then skips admission (and its awaits) altogether. */
  readonly enabled: boolean;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    const limits = config.edge.rateLimits;
    const limiterOf = (limit: RateLimit) => new RateLimiterMemory({ points: limit.points, duration: limit.windowSeconds });
    this.limiters = new Map(
      limits
        ? [
            ['scim-token', limiterOf(limits.scimToken)],
            ['scim-account', limiterOf(limits.scimAccount)],
            ['credential', limiterOf(limits.credential)],
            ['failed-authentication', limiterOf(limits.failedAuthentication)],
          ]
        : [],
    );
    this.enabled = this.limiters.size > 0;
  }

  /**
   * An address that spent its failed-authentication budget is refused before its credential is
   * even checked, whatever it presents: otherwise a 429 would only hide the answer, not slow the guessing.
   */
  async refuseBlockedAddress(address: string): Promise<void> {
    const limiter = this.limiters.get('failed-authentication');
    const used = await limiter?.get(address);
    if (limiter && used && used.consumedPoints >= limiter.points) throw this.onRateLimited('failed-authentication', used);
  }

  /** Counts one request of an authenticated principal; throws RateLimited when over a limit. */
  async admit(principal: Principal): Promise<void> {
    if (principal.kind === 'scim-token') {
      await this.consume('scim-token', principal.tokenId);
      await this.consume('scim-account', principal.accountId);
      return;
    }
    await this.consume('credential', credentialKeyOf(principal));
  }

  /**
   * The one place a failed authentication is seen (metrics hook): it counts against the client
   * address, and the answer is a 429 instead of the 401 once the address is over its budget.
   */
  async onAuthenticationFailed(_realm: Realm, address: string, refusal: ScimError): Promise<ScimError> {
    try {
      await this.limiters.get('failed-authentication')?.consume(address);
      return refusal;
    } catch (rejection) {
      return this.rateLimitedOr(rejection, 'failed-authentication');
    }
  }

  /** The one place a 429 is decided (metrics hook). */
  onRateLimited(scope: LimitScope, state: RateLimiterRes): RateLimited {
    this.metrics.rateLimited(scope);
    return new RateLimited(scope, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
  }

  private async consume(scope: LimitScope, key: string): Promise<void> {
    try {
      await this.limiters.get(scope)?.consume(key);
    } catch (rejection) {
      throw this.rateLimitedOr(rejection, scope);
    }
  }

  // The memory store rejects with its state when over the limit, and with an Error on a bug.
  private rateLimitedOr(rejection: unknown, scope: LimitScope): ScimError {
    if (rejection instanceof RateLimiterRes) return this.onRateLimited(scope, rejection);
    throw rejection;
  }
}

function credentialKeyOf(principal: Exclude<Principal, { kind: 'scim-token' }>): string {
  switch (principal.kind) {
    case 'operator':
      return 'operator';
    case 'auditor':
      return 'auditor';
    case 'account-admin':
      return `admin-key:${principal.adminId}`;
    case 'events-key':
      return `events-key:${principal.keyId}`;
    default: {
      const _exhaustive: never = principal;
      return _exhaustive;
    }
  }
}
