import type { UserProfile } from './user.events';

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
  /** Omitted: lifecycle unchanged. */
  readonly active?: boolean;
  readonly at: string;
}

export interface DeprovisionUser {
  readonly type: 'DeprovisionUser';
  readonly accountId: string;
  readonly at: string;
}

export type UserCommand = ProvisionUser | UpdateUser | DeprovisionUser;
