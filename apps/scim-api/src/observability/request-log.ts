import type { INestApplication } from '@nestjs/common';
import type { Response } from 'express';
import { withoutValues } from '@scim/domain';
import type { Logger } from 'pino';
import type { AuthenticatedRequest } from '../shared/request-context';
import { Metrics } from './metrics';
import { ROOT_LOGGER } from './observability.module';
import { RefusalSampler } from './refusal-sampler';

/** Probes hit these every few seconds: their successes are debug lines, not the day's traffic. */
const PROBE_ROUTES = new Set(['/health', '/ready', '/metrics']);
/** Raw path parameters are logged (never used as labels); a bound keeps a hostile URL from filling a line. */
const MAX_LOGGED_PARAM = 128;

/**
 * One log line and one metric observation per request, when its response ends: request id, method,
 * route template, status, latency, account and credential id. Only these fields: never headers
 * (the Authorization header), bodies, secrets, or the URL (its query holds filters on personal
 * values: docs/PRIVACY.md). A 5xx line carries its exception's message and stack (the exception
 * filter leaves it on the request), less any value the request sent; refused authentications are sampled.
 */
export function requestLog(logger: Logger, metrics: Metrics, refusals: RefusalSampler) {
  return (request: AuthenticatedRequest, response: Response): void => {
    const startedAt = performance.now();
    response.once('close', () => {
      const seconds = (performance.now() - startedAt) / 1000;
      // Each property of Node's request and response is read once: their reads are megamorphic.
      const method = request.method;
      const route = routeTemplate(request);
      const status = response.statusCode;
      metrics.httpRequest({ route, method, status }, seconds);
      const refusal = status === 401 || status === 403 ? request.authRefusal : undefined;
      if (refusal) metrics.authenticationRefused(refusal.realm, refusal.kind);
      const line: RequestLine = {
        requestId: request.requestId,
        method,
        route,
        status,
        latencyMs: Math.round(seconds * 10_000) / 10,
        accountId: bounded(request.scimCaller?.accountId ?? request.params?.accountId ?? request.edgeRoute?.accountId),
        credential: credentialOf(request),
      };
      if (refusal) line.authRefusal = `${refusal.realm}/${refusal.kind}`;
      if (!response.writableFinished) line.aborted = true;
      const message = `${method} ${route} ${status}`;
      const serverError = request.serverError;
      if (serverError !== undefined) logger.error({ ...line, err: loggableError(serverError, request) }, message);
      else if (refusal) {
        if (refusals.admit(line.authRefusal ?? '')) logger.warn(line, message);
      } else if (status >= 500 && status !== 501) logger.warn(line, message);
      else if (status < 400 && PROBE_ROUTES.has(route)) logger.debug(line, message);
      else logger.info(line, message);
    });
  };
}

/** The fields of a request's log line, in the order they are written. */
interface RequestLine {
  readonly requestId: string | undefined;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly accountId: string | undefined;
  readonly credential: string | undefined;
  authRefusal?: string;
  aborted?: true;
}

/** The app's request log; started first on every request, so the latency includes reading the body. */
export function requestLogOf(app: INestApplication): (request: AuthenticatedRequest, response: Response) => void {
  return requestLog(app.get<Logger>(ROOT_LOGGER), app.get(Metrics), app.get(RefusalSampler));
}

/**
 * The route as declared (`/scim/v2/:accountId/Users/:id`); a request the edge refused before
 * routing has the edge's coarser label (`/scim/v2/:accountId/Users/*`); others share one label.
 */
function routeTemplate(request: AuthenticatedRequest): string {
  const path: unknown = request.route?.path;
  if (typeof path === 'string') return `${request.baseUrl}${path}`;
  return request.edgeRoute?.label ?? '(unmatched)';
}

/** Which credential the request was authenticated with: its id, never the secret. */
function credentialOf(request: AuthenticatedRequest): string | undefined {
  if (request.scimCaller) return `scim-token:${request.scimCaller.tokenId}`;
  if (request.admin) return request.admin.kind === 'operator' ? 'operator' : `admin-key:${request.admin.adminId}`;
  if (request.principal?.kind === 'events-key') return `events-key:${request.principal.keyId}`;
  return request.auditReader;
}

/** A failure's message and stack often quote what was sent (a userName, a filter): cut before logging. */
export function loggableError(error: unknown, request: { readonly body?: unknown; readonly query?: unknown }): Record<string, unknown> {
  const cut = (text: string) => withoutValues(text, { body: request.body, query: request.query }, { filters: false });
  if (!(error instanceof Error)) return { type: typeof error, message: cut(String(error)) };
  return { type: error.name, message: cut(error.message), ...(error.stack ? { stack: cut(error.stack) } : {}) };
}

function bounded(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_LOGGED_PARAM) : undefined;
}
