import type { DomainEvent } from '../decider';

/**
 * An IdP request refused without touching any aggregate (the userName belongs to another
 * account). Recorded in the account's provisioning stream so its administrators and auditors
 * can see why a user did not appear; it names no other account.
 */
export type ProvisioningRejected = DomainEvent<
  'ProvisioningRejected',
  {
    readonly accountId: string;
    readonly resourceType: 'User' | 'Group';
    readonly userName?: string;
    readonly reason: 'username-held-by-another-account';
    readonly rejectedAt: string;
  }
>;
