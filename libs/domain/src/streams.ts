/** Stream names are part of the storage contract: prefixes let subscriptions filter by kind. */
export const StreamPrefix = {
  account: 'account-',
  user: 'user-',
  userName: 'username-',
} as const;

export const accountStream = (accountId: string): string => `${StreamPrefix.account}${accountId}`;
export const userStream = (userId: string): string => `${StreamPrefix.user}${userId}`;
/** One reservation stream per lower-cased userName, shared by all accounts (uniqueness is global). */
export const userNameStream = (userNameKey: string): string => `${StreamPrefix.userName}${userNameKey}`;

/** RFC 7643 §4.1.1: userName is caseExact=false; NFC first so composed and decomposed forms collide. */
export function userNameKey(userName: string): string {
  return userName.normalize('NFC').toLowerCase();
}
