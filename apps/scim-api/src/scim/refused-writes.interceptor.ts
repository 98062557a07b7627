import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { DomainError, requestRefused } from '@scim/domain';
import { EventWriter } from '../persistence/event-writer';
import { scimCommandContext, type AuthenticatedRequest } from '../shared/request-context';
import { toScimError } from './error-mapping';

/** /Users or /Groups, with the resource id when the path names one. */
const RESOURCE_PATH = /\/(Users|Groups)(?:\/([^/]+))?\/?$/;

/**
 * Records every SCIM write refused with a 4xx as ProvisioningRejected in the account's
 * provisioning stream, so an admin can see in the activity log why a user or group "is not
 * appearing". Only requests that authenticated as the account (guards run first); the answer is
 * not changed, and a failure to record is logged, never sent. Applied to the write routes only
 * (`RecordsRefusals`): on a read, an interceptor's RxJS pipeline cost ~15 % of a request's CPU.
 */
@Injectable()
export class RefusedWritesInterceptor implements NestInterceptor {
  private readonly logger = new Logger('RefusedWrites');

  constructor(private readonly writer: EventWriter) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return next.handle().pipe(catchError((error: unknown) => from(this.record(request, error)).pipe(mergeMap(() => throwError(() => error)))));
  }

  private async record(request: AuthenticatedRequest, error: unknown): Promise<void> {
    const context = scimCommandContext(request);
    const path = RESOURCE_PATH.exec(request.path);
    const refusal = toScimError(error);
    // Recorded already, with its own reason, by the user write model.
    const recorded = error instanceof DomainError && error.code === 'username_held_by_another_account';
    if (!context || !path || refusal.status >= 500 || recorded) return;
    const resourceType = path[1] === 'Users' ? 'User' : 'Group';
    const body = request.body as Record<string, unknown> | undefined;
    const name = resourceType === 'User' ? body?.userName : body?.displayName;
    const event = requestRefused({
      accountId: context.accountId,
      resourceType,
      ...(path[2] ? { resourceId: path[2] } : {}),
      ...(typeof name === 'string' ? { name } : {}),
      refusal: { method: request.method, status: refusal.status, ...(refusal.scimType ? { scimType: refusal.scimType } : {}), detail: refusal.detail },
      at: context.at,
    });
    try {
      await this.writer.recordRejection(context, event);
    } catch (failure) {
      this.logger.warn(`Could not record a refused ${request.method} ${request.path}: ${failure instanceof Error ? failure.message : String(failure)}`);
    }
  }
}

/** Marks a SCIM write route (a handler, or a controller of writes only): its 4xx refusals are recorded. */
export const RecordsRefusals = (): MethodDecorator & ClassDecorator => UseInterceptors(RefusedWritesInterceptor);
