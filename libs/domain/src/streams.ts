import { createHash } from 'node:crypto';

/** Stream names are part of the storage contract: prefixes let subscriptions filter by kind. */
export const StreamPrefix = {
  account: 'account-',
  user: 'user-',
  /** Keyed by the HMAC of the userName (docs/PRIVACY.md): the name itself is never in a stream name. */
  userName: 'usernamehmac-',
  /** Before the upgrade to keyed names: `username-<lower-cased userName>`. Read once, by the upgrade. */
  legacyUserName: 'username-',
  nameHashing: 'namehashing-',
  group: 'group-',
  groupMembers: 'groupmembers-',
  groupName: 'groupname-',
  provisioning: 'provisioning-',
} as const;

export const accountStream = (accountId: string): string => `${StreamPrefix.account}${accountId}`;
export const userStream = (userId: string): string => `${StreamPrefix.user}${userId}`;
/** A group's lifecycle, name and role mapping: short, read whole on every command. */
export const groupStream = (groupId: string): string => `${StreamPrefix.group}${groupId}`;
/** A group's membership deltas: long (groups of 50,000 members), appended to without being read. */
export const groupMembersStream = (groupId: string): string => `${StreamPrefix.groupMembers}${groupId}`;
/** An account's provisioning activity that changes no aggregate (rejections), for its audit. */
export const provisioningStream = (accountId: string): string => `${StreamPrefix.provisioning}${accountId}`;

/**
 * One reservation stream per userName, shared by all accounts (uniqueness is global), named after
 * the keyed digest of its `userNameKey` (NameHashing in apps/scim-api), so that reading the log's
 * stream names tells nobody which names are in use.
 */
export const userNameStream = (userNameDigest: string): string => `${StreamPrefix.userName}${userNameDigest}`;

/** Where this log's userName keying was adopted: the key's check value, so a wrong key is refused. */
export const nameHashingStream = `${StreamPrefix.nameHashing}adopted`;

/** RFC 7643 §4.1.1: userName is caseExact=false; NFC first so composed and decomposed forms collide. */
export function userNameKey(userName: string): string {
  return userName.normalize('NFC').toLowerCase();
}

/** RFC 7643 §4.2: a group's displayName is caseExact=false; NFC as for userName. */
export function groupNameKey(displayName: string): string {
  return displayName.normalize('NFC').toLowerCase();
}

/**
 * One reservation stream per (account, lower-cased displayName): names are unique per account
 * only. The name is hashed, not embedded: a displayName may be long or hold any character, and
 * stream names must stay short and plain for EventStoreDB.
 */
export const groupNameStream = (accountId: string, nameKey: string): string =>
  `${StreamPrefix.groupName}${createHash('sha256').update(`${accountId}\0${nameKey}`).digest('hex')}`;
