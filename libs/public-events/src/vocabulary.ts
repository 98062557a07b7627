/**
 * The public event vocabulary: what an account's application is told, through the events API and
 * webhooks. Stable names, independent of the internal event types (which may be split, merged or
 * renamed); a change of a data shape is a new `version`, documented in docs/events/.
 */
export const publicEventTypes = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'user.erased',
  'user.converted',
  'user.roles_changed',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.members_added',
  'group.members_removed',
  'provisioning.rejected',
  'scim.token_expiring',
] as const;

export type PublicEventType = (typeof publicEventTypes)[number];

const known: ReadonlySet<string> = new Set(publicEventTypes);
export const isPublicEventType = (type: string): type is PublicEventType => known.has(type);

/** Version of every data shape below; bumped (per type) when one changes incompatibly. */
export const PUBLIC_EVENT_VERSION = 1;

/** One change, as the account's application sees it. */
export interface PublicEvent {
  /** Stable: derived from the recorded event's id, so a redelivery carries the same id. */
  readonly id: string;
  readonly type: PublicEventType;
  readonly version: number;
  readonly accountId: string;
  readonly occurredAt: string;
  /** The X-Request-Id of the request that caused the change (for a process's reaction, the request behind it). */
  readonly requestId: string | null;
  /** Position in the account's log: `after=<cursor>` of the events API resumes after this event. */
  readonly cursor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** The "Send test event" action's message: shaped like an event, outside the log (cursor "0"). */
export interface TestEvent extends Omit<PublicEvent, 'type'> {
  readonly type: 'webhook.test';
}

/** What a webhook delivers. */
export type WebhookMessage = PublicEvent | TestEvent;

/** What caused a change of a user's effective roles. */
export type RolesChangeCause =
  | { readonly kind: 'role-assigned'; readonly role: string }
  | { readonly kind: 'role-removed'; readonly role: string }
  | { readonly kind: 'granted-via-group'; readonly role: string; readonly groupId: string }
  | { readonly kind: 'revoked-via-group'; readonly role: string; readonly groupId: string; readonly reason: string };
