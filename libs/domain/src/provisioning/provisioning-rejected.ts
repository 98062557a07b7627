import type { DomainEvent } from '../decider';
import { withoutValues } from './request-values';

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
 *
 * It keeps no personal value either (docs/PRIVACY.md): no userName (events written before that
 * may hold one), and a detail from which every value of the request is cut; the resource id, the
 * group's displayName and the request id (metadata) say which request it was.
 */
export type ProvisioningRejected = DomainEvent<
  'ProvisioningRejected',
  {
    readonly accountId: string;
    readonly resourceType: 'User' | 'Group';
    readonly resourceId?: string;
    /** Only in events written before personal values were kept out of them. */
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
  /** A Group's displayName from the body, when it had one (a userName is personal: never kept). */
  readonly displayName?: string;
  /** The answer the client got, whose detail may quote what it sent. */
  readonly refusal: Refusal;
  /** The request body: its values are cut from the recorded detail. */
  readonly body?: unknown;
  readonly at: string;
}

export function requestRefused(request: RefusedRequest): ProvisioningRejected {
  const { accountId, resourceType, resourceId, displayName, refusal, body, at } = request;
  const named = displayName === undefined || resourceType !== 'Group' ? {} : { displayName: clip(displayName) };
  return {
    type: 'ProvisioningRejected',
    data: {
      accountId,
      resourceType,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...named,
      reason: 'request-refused',
      refusal: { ...refusal, detail: clip(withoutValues(refusal.detail, body)) },
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
