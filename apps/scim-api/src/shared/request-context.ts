import { createParamDecorator, type ArgumentsHost, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@scim/domain';
import type { CommandContext } from '@scim/provisioning';

// What every command carries about the request that caused it: defined with the write side.
export type { CommandContext } from '@scim/provisioning';

/** Who the request edge authenticated, from headers alone, before any body byte was read. */
export type Principal =
  | { readonly kind: 'scim-token'; readonly accountId: string; readonly tokenId: string }
  | { readonly kind: 'operator' }
  | { readonly kind: 'account-admin'; readonly accountId: string; readonly adminId: string }
  | { readonly kind: 'auditor' }
  | { readonly kind: 'events-key'; readonly accountId: string; readonly keyId: string };

export interface AuthenticatedRequest extends Request {
  requestId?: string;
  principal?: Principal;
  /** How the request edge classified the route (its realm, account and a bounded label), before routing. */
  edgeRoute?: { readonly accountId: string | undefined; readonly label: string };
  scimCaller?: { readonly accountId: string; readonly tokenId: string };
  admin?: { readonly kind: 'operator' } | { readonly kind: 'account-admin'; readonly adminId: string };
  /** Which key opened the audit API (set by AuditGuard). */
  auditReader?: 'operator' | 'auditor';
  /** Why the credential was refused, for the request log and the metrics (set by the guards). */
  authRefusal?: AuthRefusal;
  /** The exception behind a 5xx answer, logged once with the request line. */
  serverError?: unknown;
}

export type AuthRealm = 'scim' | 'admin' | 'audit' | 'support' | 'events';

/** Bounded on purpose: these are metric labels. */
export type AuthRefusalKind =
  | 'missing'
  | 'malformed'
  | 'wrong-key'
  | 'unknown-account'
  | 'unknown-credential'
  | 'wrong-secret'
  | 'revoked'
  | 'expired'
  | 'scim-disabled'
  | 'operator-only';

export interface AuthRefusal {
  readonly realm: AuthRealm;
  readonly kind: AuthRefusalKind;
}

/** Notes why a guard refuses the request; the guard then throws its usual error. */
export function noteRefusal(request: AuthenticatedRequest, realm: AuthRealm, kind: AuthRefusalKind): void {
  request.authRefusal = { realm, kind };
}

/** The HTTP request of a guard's or decorator's context, read without `switchToHttp()` (three closures per call). */
export function requestOf(context: ArgumentsHost): AuthenticatedRequest {
  return context.getArgByIndex<AuthenticatedRequest>(0);
}

/** The SCIM caller's context; only on routes behind ScimAuthGuard. */
export const ScimContext = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext => scimContextOf(requestOf(ctx)));

/** The SCIM caller's context of a request on a route behind ScimAuthGuard (what @ScimContext() gives). */
export function scimContextOf(request: AuthenticatedRequest): CommandContext {
  const context = scimCommandContext(request);
  if (!context) throw new Error('ScimContext used on a route without ScimAuthGuard');
  return context;
}

/** The context of a request ScimAuthGuard authenticated; undefined for any other request. */
export function scimCommandContext(request: AuthenticatedRequest): CommandContext | undefined {
  const caller = request.scimCaller;
  if (!caller) return undefined;
  return {
    accountId: caller.accountId,
    actor: { kind: 'scim-token', tokenId: caller.tokenId },
    requestId: request.requestId ?? 'unknown',
    at: new Date().toISOString(),
  };
}

/** An administrator's context (operator or account admin), for the account the route names. */
export const AdminContext = createParamDecorator((_: unknown, ctx: ExecutionContext): Omit<CommandContext, 'accountId'> => {
  const request = requestOf(ctx);
  const admin = request.admin;
  if (!admin) throw new Error('AdminContext used on a route without AdminGuard');
  const actor: Actor = admin.kind === 'operator' ? { kind: 'operator' } : { kind: 'account-admin', adminId: admin.adminId };
  return { actor, requestId: request.requestId ?? 'unknown', at: new Date().toISOString() };
});

export type AdminCommandContext = Omit<CommandContext, 'accountId'>;
