import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ScimError } from '@scim/scim-protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { resolveAuditorKey, resolveOperatorKey } from '../config/operator-key';
import { bearerOf } from '../scim/scim-token';
import { noteRefusal, type AuthenticatedRequest } from '../shared/request-context';

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
    const bearer = bearerOf(request.header('authorization'));
    const presented = digest(bearer ?? '');
    const matches = this.digests.map((expected) => timingSafeEqual(presented, expected));
    if (!matches.includes(true)) {
      noteRefusal(request, 'audit', bearer ? 'wrong-key' : 'missing');
      throw new ScimError(401, 'Audit credential missing or wrong: use the auditor key (AUDITOR_KEY or DATA_DIR/auditor.key) or the operator key');
    }
    // AUDIT_KEYS lists the operator's key first.
    request.auditReader = matches[0] ? 'operator' : 'auditor';
    return true;
  }
}
