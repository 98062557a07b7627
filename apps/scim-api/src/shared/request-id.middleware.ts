import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import type { AuthenticatedRequest } from './request-context';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Every request gets an id, echoed in `X-Request-Id` and stored as the correlation id of the
 * events it causes. A well-formed id sent by the client (or a proxy) is kept for end-to-end tracing.
 */
export function assignRequestId(request: AuthenticatedRequest, response: Response): void {
  const incoming = request.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  request.requestId = requestId;
  response.setHeader('X-Request-Id', requestId);
}
