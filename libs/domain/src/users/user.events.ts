import type { DomainEvent } from '../decider';

/**
 * The stored shape of a user, the one type for it (libs/scim-protocol normalises into it): the
 * SCIM attributes as a client could send them, canonicalised — schema casing, the enterprise
 * extension under its URN key, no nulls or empty values, no id, meta or other read-only
 * attributes, no password, and no `active` (lifecycle is its own event).
 */
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

/**
 * `unassigned`: the client removed `active` (RFC 7644 §3.5.2.2), leaving it without a value. An
 * unassigned administrative status grants no access, so it is a deactivation all the same.
 */
export type UserDeactivated = DomainEvent<'UserDeactivated', { readonly userId: string; readonly deactivatedAt: string; readonly unassigned?: true }>;

export type UserReactivated = DomainEvent<'UserReactivated', { readonly userId: string; readonly reactivatedAt: string }>;

export type UserDeprovisioned = DomainEvent<
  'UserDeprovisioned',
  { readonly userId: string; readonly userName: string; readonly deprovisionedAt: string }
>;

/**
 * The person was erased (GDPR Art. 17): their data key is destroyed, so the personal values of
 * every earlier event read as `[erased]`. Who did it is in the metadata; ids and roles stay clear.
 */
export type UserErased = DomainEvent<
  'UserErased',
  {
    readonly userId: string;
    readonly accountId: string;
    /** The destroyed data key; null when the user's events were never sealed (an older log). */
    readonly keyId: string | null;
    readonly reason: string;
    readonly erasedAt: string;
  }
>;

/** An administrator created the user by hand; the IdP does not manage it (yet). */
export type ManualUserCreated = DomainEvent<
  'ManualUserCreated',
  {
    readonly userId: string;
    readonly accountId: string;
    readonly profile: UserProfile;
    readonly createdAt: string;
  }
>;

/**
 * The IdP created a user whose userName a manual user of the same account held: that user keeps
 * its id and its roles (recorded as pre-existing) and is managed by the IdP from now on.
 */
export type UserConvertedToScim = DomainEvent<
  'UserConvertedToScim',
  {
    readonly userId: string;
    readonly accountId: string;
    readonly profile: UserProfile;
    readonly active: boolean;
    readonly preExistingRoles: readonly string[];
    readonly convertedAt: string;
  }
>;

export type RoleAssignedManually = DomainEvent<
  'RoleAssignedManually',
  { readonly userId: string; readonly role: string; readonly assignedAt: string }
>;

export type RoleRemovedManually = DomainEvent<
  'RoleRemovedManually',
  { readonly userId: string; readonly role: string; readonly removedAt: string }
>;

export type RoleGrantedViaGroup = DomainEvent<
  'RoleGrantedViaGroup',
  { readonly userId: string; readonly role: string; readonly groupId: string; readonly grantedAt: string }
>;

export type RoleRevocationReason = 'membership-removed' | 'mapping-changed' | 'group-deleted';

export type RoleRevokedViaGroup = DomainEvent<
  'RoleRevokedViaGroup',
  {
    readonly userId: string;
    readonly role: string;
    readonly groupId: string;
    readonly reason: RoleRevocationReason;
    readonly revokedAt: string;
  }
>;

export type UserEvent =
  | UserProvisioned
  | ManualUserCreated
  | UserConvertedToScim
  | UserAttributesUpdated
  | UserDeactivated
  | UserReactivated
  | UserDeprovisioned
  | UserErased
  | RoleAssignedManually
  | RoleRemovedManually
  | RoleGrantedViaGroup
  | RoleRevokedViaGroup;

export const userEventTypes: ReadonlySet<UserEvent['type']> = new Set([
  'UserProvisioned',
  'ManualUserCreated',
  'UserConvertedToScim',
  'UserAttributesUpdated',
  'UserDeactivated',
  'UserReactivated',
  'UserDeprovisioned',
  'UserErased',
  'RoleAssignedManually',
  'RoleRemovedManually',
  'RoleGrantedViaGroup',
  'RoleRevokedViaGroup',
]);
