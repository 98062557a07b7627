import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toScimErrorBody, type ScimError } from '@scim/scim-protocol';
import type { AuthenticatedRequest } from '../shared/request-context';
import { RateLimited } from '../edge/admission-control';
import { SCIM_CONTENT_TYPE } from './scim-http';
import { toScimError } from './error-mapping';
import type { RefusedWrites } from './refused-writes';

/**
 * Every failure, on every route, answers with a SCIM Error body (RFC 7644 §3.12); a refused SCIM
 * write is recorded first (`RefusedWrites`), so the activity log has it when the IdP gets the answer.
 */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly refusals?: RefusedWrites) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const response = http.getResponse<Response>();
    const error = toScimError(exception);
    // Logged once, with its stack, on the request's line (observability/request-log.ts). A 501 is
    // an answer (RFC 7644 §3.12: an operation this service does not offer, such as /Bulk), not a fault.
    if (error.status >= 500 && error.status !== 501) request.serverError = exception;
    if (response.headersSent) return;
    const recorded = this.refusals?.record(request, error, exception) ?? Promise.resolve();
    void recorded
      .catch((failure: unknown) => this.logger.error(`Recording a refused write failed: ${String(failure)}`))
      .then(() => this.send(response, error));
  }

  private send(response: Response, error: ScimError): void {
    if (response.headersSent) return;
    if (error.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="SCIM"');
    if (error instanceof RateLimited) response.setHeader('Retry-After', String(error.retryAfterSeconds));
    response.status(error.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(toScimErrorBody(error)));
  }
}
