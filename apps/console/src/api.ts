/** The console's only I/O: the service's own admin and support APIs, with the signed-in key. */

// The domain's own type (erased at build): the console reads actors as the history records them.
import type { Actor } from '../../../libs/domain/src/metadata';
export type { Actor };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Page<T> {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly items: T[];
}

export type Session =
  | { readonly role: 'operator' }
  | { readonly role: 'auditor' }
  | { readonly role: 'account-admin'; readonly accountId: string; readonly accountName: string; readonly keyId: string; readonly keyLabel: string };

export interface AccountSummary {
  readonly accountId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly scimEnabled: boolean;
}
export interface Account extends AccountSummary {
  readonly scimBaseUrl: string;
}
export interface Token {
  readonly tokenId: string;
  readonly label: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
  readonly lastUsedAt: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
}
export interface IssuedToken {
  readonly tokenId: string;
  readonly token: string;
  readonly label: string;
  readonly expiresAt: string;
}
export interface AdminKey {
  readonly keyId: string;
  readonly label: string;
  readonly status: string;
}
export interface Role {
  readonly role: string;
  readonly description: string;
}
export interface GroupSummary {
  readonly id: string;
  readonly displayName: string;
  readonly source: 'Platform' | 'SCIM';
}
export interface UserListItem {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly emails: string[];
  readonly source: 'Manual' | 'SCIM';
  readonly status: 'active' | 'inactive';
  readonly groups: GroupSummary[];
  readonly effectiveRoles: string[];
}
export type RoleSource =
  | { readonly kind: 'manual'; readonly since: string }
  | { readonly kind: 'pre-existing-at-conversion'; readonly since: string; readonly convertedAt?: string }
  | { readonly kind: 'group'; readonly groupId: string; readonly groupName: string; readonly since: string };
export interface UserDetail extends UserListItem {
  readonly convertedAt?: string;
  readonly created: string;
  readonly roles: { readonly role: string; readonly effective: boolean; readonly sources: RoleSource[] }[];
  /** Values of the account's declared schema extensions (absent from servers older than them). */
  readonly customAttributes?: { readonly schema: string; readonly name: string; readonly value: unknown }[];
}
export interface Group extends GroupSummary {
  readonly roles: string[];
  readonly memberCount: number;
  readonly externalId?: string;
}
export interface Member {
  readonly id: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly source?: string;
  readonly status?: string;
}
export interface ActivityRequest {
  readonly correlationId: string;
  readonly at: string;
  readonly tokenIds: string[];
  readonly items: { outcome: string; resourceType: 'User' | 'Group'; resourceId: string | null; name: string | null; detail: string }[];
  readonly roleChanges: { granted: number; revoked: number; users: number };
}
export interface TimelineEntry {
  readonly at: string;
  readonly summary: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly type: string;
}
export interface SearchResult {
  readonly userId: string;
  readonly userName: string;
  readonly source: string;
  readonly status: string;
}
export interface AccessChange {
  readonly userId: string;
  readonly userName: string;
  readonly gained: string[];
  readonly lost: string[];
}

const KEY_STORAGE = 'scim-console.key';

/** The key lives in this tab's session storage only: closed tab, signed out. */
export const storedKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string | null): void => (key === null ? sessionStorage.removeItem(KEY_STORAGE) : sessionStorage.setItem(KEY_STORAGE, key));

export async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, key = storedKey()): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const detail = (parsed as { detail?: unknown; message?: unknown } | undefined)?.detail ?? (parsed as { message?: unknown } | undefined)?.message;
    throw new ApiError(response.status, typeof detail === 'string' ? detail : `The service answered ${response.status}`);
  }
  return parsed as T;
}

const q = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

const e = encodeURIComponent;

/** The admin API of one account. */
export function accountApi(accountId: string) {
  const base = `/admin/accounts/${e(accountId)}`;
  const support = `/support/accounts/${e(accountId)}`;
  return {
    account: () => call<Account>('GET', base),
    setScim: (enabled: boolean) => call<{ scimBaseUrl?: string }>('POST', `${base}/scim/${enabled ? 'enable' : 'disable'}`),
    tokens: () => call<Page<Token>>('GET', `${base}/scim/tokens${q({ count: 1000 })}`),
    issueToken: (validForDays: number, label: string) => call<IssuedToken>('POST', `${base}/scim/tokens`, { validForDays, label }),
    revokeToken: (tokenId: string) => call<void>('DELETE', `${base}/scim/tokens/${e(tokenId)}`),
    adminKeys: () => call<Page<AdminKey>>('GET', `${base}/admin-keys${q({ count: 1000 })}`),
    roles: () => call<Page<Role>>('GET', `${base}/roles${q({ count: 1000 })}`),
    users: (params: { search?: string; source?: string; startIndex?: number; count?: number }) => call<Page<UserListItem>>('GET', `${base}/users${q(params)}`),
    userByName: (userName: string) => call<Page<UserListItem>>('GET', `${base}/users${q({ userName, count: 1 })}`),
    createUser: (body: { userName: string; displayName?: string; email?: string }) => call<UserDetail>('POST', `${base}/users`, body),
    user: (userId: string) => call<UserDetail>('GET', `${base}/users/${e(userId)}`),
    assignRole: (userId: string, role: string) => call<UserDetail>('POST', `${base}/users/${e(userId)}/roles`, { role }),
    removeRole: (userId: string, role: string) => call<void>('DELETE', `${base}/users/${e(userId)}/roles/${e(role)}`),
    groups: (params: { search?: string; source?: string; startIndex?: number; count?: number }) => call<Page<Group>>('GET', `${base}/groups${q(params)}`),
    group: (groupId: string) => call<Group>('GET', `${base}/groups/${e(groupId)}`),
    createGroup: (displayName: string) => call<GroupSummary>('POST', `${base}/groups`, { displayName }),
    members: (groupId: string, startIndex: number) => call<Page<Member>>('GET', `${base}/groups/${e(groupId)}/members${q({ startIndex, count: 50 })}`),
    mapRoles: (groupId: string, roles: string[]) => call<{ roles: string[] }>('PUT', `${base}/groups/${e(groupId)}/roles`, { roles }),
    addMember: (groupId: string, userId: string) => call<void>('POST', `${base}/groups/${e(groupId)}/members`, { members: [userId] }),
    removeMember: (groupId: string, userId: string) => call<void>('DELETE', `${base}/groups/${e(groupId)}/members/${e(userId)}`),
    activity: async (limit = 200) => (await call<{ requests: ActivityRequest[] }>('GET', `${support}/activity${q({ limit })}`)).requests,
    search: (userName: string) => call<SearchResult[]>('GET', `${support}/users${q({ userName, includeDeleted: 'true' })}`),
    explain: (userId: string, asOf?: string) => call<Explanation>('GET', `${support}/users/${e(userId)}/explain${q({ asOf })}`),
    timeline: (userId: string) => call<{ events: TimelineEntry[] }>('GET', `${support}/users/${e(userId)}/timeline`),
    accessDiff: (from: string, to: string) => call<{ changes: AccessChange[] }>('GET', `${support}/access-diff${q({ from, to })}`),
  };
}

export type AccountApi = ReturnType<typeof accountApi>;

export interface Explanation {
  readonly userId: string;
  readonly userName?: string;
  readonly status: string;
  readonly source?: string;
  readonly effectiveRoles: string[];
  readonly roles: { role: string; effective?: boolean; sources: ExplainedSource[] }[];
  readonly formerRoles: { role: string; endedAt?: string; sources?: ExplainedSource[] }[];
  readonly notes: string[];
}
export type ExplainedSource = Readonly<Record<string, unknown>> & { readonly kind: string };

export const platformApi = {
  session: (key: string) => call<Session>('GET', '/admin/session', undefined, key),
  accounts: (search: string, startIndex: number) => call<Page<AccountSummary>>('GET', `/admin/accounts${q({ search, startIndex, count: 20 })}`),
  createAccount: (name: string) => call<{ accountId: string; name: string }>('POST', '/admin/accounts', { name }),
};
