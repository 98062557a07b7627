import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toScimErrorBody } from '@scim/scim-protocol';
import { SCIM_CONTENT_TYPE } from './scim-http';
import { toScimError } from './error-mapping';

/** Every failure, on every route, answers with a SCIM Error body (RFC 7644 §3.12). */
@Catch()
export class ScimExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = toScimError(exception);
    if (error.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (response.headersSent) return;
    if (error.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="SCIM"');
    response.status(error.status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(toScimErrorBody(error)));
  }
}
