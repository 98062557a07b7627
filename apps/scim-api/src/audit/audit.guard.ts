import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ScimError } from '@scim/scim-protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { resolveAuditorKey, resolveOperatorKey } from '../config/operator-key';
import { bearerOf, malformedBearerReason } from '../scim/scim-token';
import type { AuthenticatedRequest } from '../shared/request-context';

/** The keys that may read the audit API: the auditor's (read-only) and the platform operator's. */
export const AUDIT_KEYS = Symbol('AUDIT_KEYS');

export const auditKeysProvider = {
  provide: AUDIT_KEYS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): readonly string[] => {
    const auditor = resolveAuditorKey(config);
    return [resolveOperatorKey(config).key, ...(auditor ? [auditor.key] : [])];
  },
};

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The audit API's credential: AUDITOR_KEY (or DATA_DIR/auditor.key), or the operator key. Every
 * key is compared, in constant time, whatever matched before.
 */
@Injectable()
export class AuditGuard implements CanActivate {
  private readonly digests: readonly Buffer[];

  constructor(@Inject(AUDIT_KEYS) keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const authorization = request.header('authorization');
    const malformed = malformedBearerReason(authorization);
    if (malformed) throw new ScimError(401, malformed);
    if (!this.accepts(bearerOf(authorization) ?? '')) {
      throw new ScimError(401, 'Audit credential missing or wrong: use the auditor key (AUDITOR_KEY or DATA_DIR/auditor.key) or the operator key');
    }
    return true;
  }

  accepts(bearer: string): boolean {
    const presented = digest(bearer);
    const matches = this.digests.map((expected) => timingSafeEqual(presented, expected));
    return matches.includes(true);
  }
}
