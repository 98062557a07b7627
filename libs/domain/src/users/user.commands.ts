import type { RoleRevocationReason, UserProfile } from './user.events';

export interface ProvisionUser {
  readonly type: 'ProvisionUser';
  readonly userId: string;
  readonly accountId: string;
  readonly profile: UserProfile;
  readonly active: boolean;
  readonly at: string;
}

/** The whole desired profile (PUT, or PATCH already applied to the current profile). */
export interface UpdateUser {
  readonly type: 'UpdateUser';
  readonly accountId: string;
  readonly profile: UserProfile;
  /** Omitted: lifecycle unchanged; null: `active` removed, unassigned (treated as inactive). */
  readonly active?: boolean | null;
  readonly at: string;
}

export interface DeprovisionUser {
  readonly type: 'DeprovisionUser';
  readonly accountId: string;
  readonly at: string;
}

/** Erasure of the person (admin API or retention); deprovisions a live user first. */
export interface EraseUser {
  readonly type: 'EraseUser';
  readonly accountId: string;
  readonly reason: string;
  /** The subject's live data key, read by the handler from the key store. */
  readonly keyId: string | null;
  readonly at: string;
}

export interface CreateManualUser {
  readonly type: 'CreateManualUser';
  readonly userId: string;
  readonly accountId: string;
  readonly profile: UserProfile;
  readonly at: string;
}

/** The IdP's create matched a manual user of the same account by userName. */
export interface ConvertUserToScim {
  readonly type: 'ConvertUserToScim';
  readonly accountId: string;
  readonly profile: UserProfile;
  readonly active: boolean;
  readonly at: string;
}

export interface AssignRoleManually {
  readonly type: 'AssignRoleManually';
  readonly accountId: string;
  readonly role: string;
  /** The account's role catalogue, read by the handler. */
  readonly knownRoles: readonly string[];
  readonly at: string;
}

export interface RemoveRoleManually {
  readonly type: 'RemoveRoleManually';
  readonly accountId: string;
  readonly role: string;
  readonly at: string;
}

/** From the roles-via-groups process: idempotent. */
export interface GrantRolesViaGroup {
  readonly type: 'GrantRolesViaGroup';
  readonly groupId: string;
  readonly roles: readonly string[];
  readonly at: string;
}

/** Revokes the given roles held through the group; all of them when `roles` is omitted. Idempotent. */
export interface RevokeRolesViaGroup {
  readonly type: 'RevokeRolesViaGroup';
  readonly groupId: string;
  readonly roles?: readonly string[];
  readonly reason: RoleRevocationReason;
  readonly at: string;
}

export type UserCommand =
  | ProvisionUser
  | CreateManualUser
  | ConvertUserToScim
  | UpdateUser
  | DeprovisionUser
  | EraseUser
  | AssignRoleManually
  | RemoveRoleManually
  | GrantRolesViaGroup
  | RevokeRolesViaGroup;
