/**
 * What every new account starts with, so that an administrator finds the product's "default
 * groups" (Source: Platform) next to the IdP's and can assign roles before any mapping is made.
 * Role names follow the catalogue's rule (letters, digits, `. _ : -`).
 */
export const DEFAULT_ROLES = [
  { role: 'administrator', description: "Manages the account: users, groups, role mappings and SCIM provisioning" },
  { role: 'user', description: 'Uses the platform with the standard permissions' },
] as const;

/** Platform groups created with every account, each mapped to one default role. */
export const DEFAULT_PLATFORM_GROUPS = [
  { displayName: 'Administrators', roles: ['administrator'] },
  { displayName: 'Users', roles: ['user'] },
] as const;
