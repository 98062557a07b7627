import type { DomainEvent } from '../decider';

/** The SCIM attribute bag of a user, canonicalised by the protocol layer (no id, meta, active, password). */
export type UserProfile = Readonly<Record<string, unknown>> & { readonly userName: string };

export type UserSource = 'scim' | 'manual';

export type UserProvisioned = DomainEvent<
  'UserProvisioned',
  {
    readonly userId: string;
    readonly accountId: string;
    readonly profile: UserProfile;
    readonly active: boolean;
    readonly provisionedAt: string;
  }
>;

/** Top-level attributes replaced wholesale (`changed`) or removed; a delta, not a snapshot. */
export type UserAttributesUpdated = DomainEvent<
  'UserAttributesUpdated',
  {
    readonly userId: string;
    readonly changed: Readonly<Record<string, unknown>>;
    readonly removed: readonly string[];
    readonly updatedAt: string;
  }
>;

export type UserDeactivated = DomainEvent<'UserDeactivated', { readonly userId: string; readonly deactivatedAt: string }>;

export type UserReactivated = DomainEvent<'UserReactivated', { readonly userId: string; readonly reactivatedAt: string }>;

export type UserDeprovisioned = DomainEvent<
  'UserDeprovisioned',
  { readonly userId: string; readonly userName: string; readonly deprovisionedAt: string }
>;

export type UserEvent = UserProvisioned | UserAttributesUpdated | UserDeactivated | UserReactivated | UserDeprovisioned;

export const userEventTypes: ReadonlySet<UserEvent['type']> = new Set([
  'UserProvisioned',
  'UserAttributesUpdated',
  'UserDeactivated',
  'UserReactivated',
  'UserDeprovisioned',
]);
