import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { ScimError } from '@scim/scim-protocol';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { noteRefusal, type AuthenticatedRequest, type Principal } from '../shared/request-context';
import { AdmissionControl, RateLimited } from './admission-control';
import { CredentialRefused, Credentials } from './credentials';
import { edgeRouteOf, type EdgeRoute } from './edge-routes';
import { hostAllowed } from './host-allow-list';
import { hasBody, JsonBodyReader } from './json-body-reader';

/**
 * What every request passes before routing, in this order, so that a request that will be refused
 * costs no body: security headers, the Host allow-list, authentication from the headers, admission
 * control, and only then the body, within its route's limit. Errors go to the exception filter.
 */
@Injectable()
export class RequestEdge {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: Credentials,
    private readonly admission: AdmissionControl,
    private readonly bodies: JsonBodyReader,
  ) {}

  /** Express middleware. */
  readonly handle = (request: AuthenticatedRequest, response: Response, next: NextFunction): void => {
    void this.pass(request, response, next);
  };

  // One async call per request, with no closures: the edge runs before every route.
  private async pass(request: AuthenticatedRequest, response: Response, next: NextFunction): Promise<void> {
    try {
      response.setHeader('X-Content-Type-Options', 'nosniff');
      // Tokens, keys and personal data: no response of this service belongs in a shared cache.
      response.setHeader('Cache-Control', 'no-store');
      const headers = request.headers;
      this.refuseUnknownHost(request, headers.host);
      const route = edgeRouteOf(request.method, request.path);
      if (route.kind === 'guarded' && !(route.credentialOptional && headers.authorization === undefined)) {
        request.edgeRoute = route;
        const principal = await this.authenticate(request, route, headers.authorization);
        request.principal = principal;
        if (this.admission.enabled) await this.admission.admit(principal);
        if (hasBody(headers)) request.body = await this.bodies.read(request, response, route.body);
      }
    } catch (error) {
      this.refused(request, response, next, error);
      return;
    }
    next();
  }

  private refused(request: AuthenticatedRequest, response: Response, next: NextFunction, error: unknown): void {
    // Refused with its body unread: one within the largest limit is drained, so the client reads
    // the answer and keeps its connection; a larger or undeclared one is not read at all.
    const declared = Number(request.headers['content-length']);
    if (!request.complete && !(declared <= this.config.edge.bodyLimits.group)) response.setHeader('Connection', 'close');
    // A flood's 429s are held a moment: its connections wait instead of cycling refusals that
    // would take the CPU from every other account (the fairness benchmark measures this).
    const hold = error instanceof RateLimited ? (this.config.edge.rateLimits?.refusalDelayMs ?? 0) : 0;
    if (hold > 0) setTimeout(() => next(error), hold);
    else next(error);
  }

  /** Without PUBLIC_URL absolute URLs are built from Host, so only listed hosts are served (RFC 9110 §15.5.20). */
  private refuseUnknownHost(request: AuthenticatedRequest, host: string | undefined): void {
    if (this.config.publicUrl || host === undefined || hostAllowed(host, this.config.edge.allowedHosts, request.socket.localPort)) return;
    throw new ScimError(421, `This service does not answer for host "${host}": set PUBLIC_URL, or list the host in ALLOWED_HOSTS`);
  }

  private async authenticate(request: AuthenticatedRequest, route: Extract<EdgeRoute, { kind: 'guarded' }>, authorization: string | undefined): Promise<Principal> {
    if (this.admission.enabled) await this.admission.refuseBlockedAddress(this.clientAddress(request));
    try {
      return await this.credentials.authenticate(route.realm, route.accountId, authorization);
    } catch (refusal) {
      if (refusal instanceof CredentialRefused) noteRefusal(request, route.realm, refusal.kind);
      // The events API answers a wrong key 403 (it names no account), but it is a failed authentication all the same.
      const failed = refusal instanceof ScimError && (refusal.status === 401 || (route.realm === 'events' && refusal instanceof CredentialRefused));
      if (failed) throw await this.admission.onAuthenticationFailed(route.realm, this.clientAddress(request), refusal);
      throw refusal;
    }
  }

  /** Express's `request.ip` runs proxy-addr over X-Forwarded-For; without TRUST_PROXY it is the socket's peer. */
  private clientAddress(request: AuthenticatedRequest): string {
    return (this.config.edge.trustProxy === undefined ? request.socket.remoteAddress : request.ip) ?? 'unknown';
  }
}
