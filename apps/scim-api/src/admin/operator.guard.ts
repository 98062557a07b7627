import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ScimError } from '@scim/scim-protocol';
import type { AuthenticatedRequest } from '../shared/request-context';

export const OPERATOR_KEY = Symbol('OPERATOR_KEY');

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The platform operator's key (OPERATOR_KEY, or DATA_DIR/operator.key), compared in constant time. */
@Injectable()
export class OperatorGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(OPERATOR_KEY) operatorKey: string) {
    this.expected = digest(operatorKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.header('authorization') ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(presented), this.expected)) {
      throw new ScimError(401, 'Operator credential missing or wrong');
    }
    request.operator = true;
    return true;
  }
}
