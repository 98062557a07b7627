/**
 * A rejected command. Carries a stable code and no HTTP: the API edge maps codes to SCIM errors.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export type DomainErrorCode =
  | 'account_not_found'
  | 'account_already_exists'
  | 'scim_token_not_found'
  | 'scim_token_already_revoked'
  | 'invalid_token_validity'
  | 'user_not_found'
  | 'user_already_exists'
  | 'username_taken'
  | 'username_held_by_another_account'
  | 'user_not_manual'
  | 'erasure_reason_required'
  | 'invalid_retention'
  | 'unknown_role'
  | 'role_not_assigned'
  | 'role_granted_via_group'
  | 'role_already_defined'
  | 'group_not_found'
  | 'group_already_exists'
  | 'group_name_taken'
  | 'group_not_managed_by_scim'
  | 'group_managed_by_scim'
  | 'admin_key_not_found'
  | 'events_key_not_found'
  | 'webhook_not_found'
  | 'webhook_limit_reached'
  | 'invalid_webhook'
  | 'invalid_custom_attribute'
  | 'custom_attribute_already_declared';
