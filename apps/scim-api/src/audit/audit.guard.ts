import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimError } from '@scim/scim-protocol';
import { requestOf } from '../shared/request-context';

/**
 * The audit API's callers, as the request edge authenticated them (Credentials): the auditor's
 * read-only key (AUDITOR_KEY or DATA_DIR/auditor.key) or the operator's.
 */
@Injectable()
export class AuditGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const kind = requestOf(context).principal?.kind;
    if (kind !== 'operator' && kind !== 'auditor') {
      throw new ScimError(401, 'Audit credential missing or wrong: use the auditor key (AUDITOR_KEY or DATA_DIR/auditor.key) or the operator key');
    }
    return true;
  }
}
