import type { DomainEvent } from '../decider';

/** The answer a refused request got: the SCIM error's status, scimType and detail. */
export interface Refusal {
  readonly method: string;
  readonly status: number;
  readonly scimType?: string;
  readonly detail: string;
}

/**
 * An IdP request refused without touching any aggregate: a userName held by another account, or
 * any write answered with a 4xx (invalid value, unknown member, missing resource, stale
 * If-Match…). Recorded in the account's provisioning stream so its administrators and auditors
 * can see why a user or group did not appear; it names no other account, and keeps no body.
 */
export type ProvisioningRejected = DomainEvent<
  'ProvisioningRejected',
  {
    readonly accountId: string;
    readonly resourceType: 'User' | 'Group';
    readonly resourceId?: string;
    readonly userName?: string;
    readonly displayName?: string;
    readonly reason: 'username-held-by-another-account' | 'request-refused';
    /** With reason 'request-refused'. */
    readonly refusal?: Refusal;
    readonly rejectedAt: string;
  }
>;

/** Longest detail and name kept: enough to read the cause, not a place to store payloads. */
const MAX_TEXT = 500;

export interface RefusedRequest {
  readonly accountId: string;
  readonly resourceType: 'User' | 'Group';
  readonly resourceId?: string;
  /** userName or displayName from the body, when it had one. */
  readonly name?: string;
  readonly refusal: Refusal;
  readonly at: string;
}

export function requestRefused(request: RefusedRequest): ProvisioningRejected {
  const { accountId, resourceType, resourceId, name, refusal, at } = request;
  const named = name === undefined ? {} : resourceType === 'User' ? { userName: clip(name) } : { displayName: clip(name) };
  return {
    type: 'ProvisioningRejected',
    data: {
      accountId,
      resourceType,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...named,
      reason: 'request-refused',
      refusal: { ...refusal, detail: clip(refusal.detail) },
      rejectedAt: at,
    },
  };
}

/** Why, in words an account admin understands. */
export function rejectionReason(rejected: ProvisioningRejected['data']): string {
  switch (rejected.reason) {
    case 'username-held-by-another-account':
      return 'the userName is held by a user of another account (409 uniqueness)';
    case 'request-refused': {
      const refusal = rejected.refusal;
      if (!refusal) return 'refused';
      return `${refusal.method} answered ${refusal.status}${refusal.scimType ? ` ${refusal.scimType}` : ''}: ${refusal.detail}`;
    }
    default: {
      const _exhaustive: never = rejected.reason;
      return String(rejected.reason);
    }
  }
}

const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);
