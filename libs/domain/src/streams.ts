/** Stream names are part of the storage contract: prefixes let subscriptions filter by kind. */
export const StreamPrefix = {
  account: 'account-',
  user: 'user-',
  userName: 'username-',
  group: 'group-',
  groupMembers: 'groupmembers-',
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

/** One reservation stream per lower-cased userName, shared by all accounts (uniqueness is global). */
export const userNameStream = (userNameKey: string): string => `${StreamPrefix.userName}${userNameKey}`;

/** RFC 7643 §4.1.1: userName is caseExact=false; NFC first so composed and decomposed forms collide. */
export function userNameKey(userName: string): string {
  return userName.normalize('NFC').toLowerCase();
}
