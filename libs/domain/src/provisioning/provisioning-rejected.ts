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

/** Stands for a value cut from a recorded detail. */
export const CUT_VALUE = '…';
/** Shorter values are left: cutting "a" or "1" would cut the words around them, and reveals nothing. */
const MIN_CUT_LENGTH = 3;
const MAX_VALUES = 1000;
/** Protocol words of a SCIM body, not values anyone chose: kept so a detail can still name them. */
const PROTOCOL_KEYS = new Set(['schemas', 'op', 'path', 'method', 'bulkId', 'version']);

/**
 * The detail as the client got it, less what the client sent (the client may see its own values
 * echoed, RFC 7644 §3.12, but the log keeps none): every string value of the body, as is or as
 * JSON-escaped, then every PATCH value filter (`emails[value eq "…"]`), whose literals are values too.
 */
export function withoutValues(detail: string, body: unknown): string {
  let cut = detail;
  const values = [...stringValuesOf(body)].filter((value) => value.length >= MIN_CUT_LENGTH).sort((a, b) => b.length - a.length);
  for (const value of values) {
    cut = replaceAllIgnoringCase(cut, value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) cut = replaceAllIgnoringCase(cut, escaped);
  }
  // An index (`Operations[2]`) is no value; anything else in brackets is a filter.
  return cut.replace(/\[(?!\d+\])[^\]]*(\]|$)/g, `[${CUT_VALUE}]`);
}

function stringValuesOf(body: unknown): Set<string> {
  const values = new Set<string>();
  const visit = (node: unknown, key: string | undefined, depth: number, inMembers = false): void => {
    if (values.size >= MAX_VALUES || depth > 64) return;
    if (typeof node === 'string') {
      // A member's value is a resource id (RFC 7643 §4.2): what an admin needs to find the member.
      if (inMembers && key === 'value') return;
      if (key === undefined || !PROTOCOL_KEYS.has(key)) values.add(node);
      // A PATCH path names attributes, but the literals of its value filter are values.
      else if (key === 'path') for (const literal of node.matchAll(/"((?:[^"\\]|\\.)*)"/g)) values.add(literal[1]);
    } else if (Array.isArray(node)) {
      for (const item of node) visit(item, key, depth + 1, key === 'members');
    } else if (typeof node === 'object' && node !== null) {
      // Keys too: a path-less PATCH value may carry a value in its key (`emails[value eq "…"].type`).
      for (const [childKey, child] of Object.entries(node)) {
        if (/[\["@]/.test(childKey)) values.add(childKey);
        visit(child, childKey, depth + 1, inMembers);
      }
    }
  };
  visit(body, undefined, 0);
  return values;
}

function replaceAllIgnoringCase(text: string, value: string): string {
  const lowerText = text.toLowerCase();
  const lowerValue = value.toLowerCase();
  // Lower-casing can change a string's length (e.g. "İ"): then only exact matches are cut.
  if (lowerText.length !== text.length || lowerValue.length !== value.length) return text.split(value).join(CUT_VALUE);
  let result = '';
  let from = 0;
  for (let at = lowerText.indexOf(lowerValue); at !== -1; at = lowerText.indexOf(lowerValue, from)) {
    result += text.slice(from, at) + CUT_VALUE;
    from = at + value.length;
  }
  return result + text.slice(from);
}
