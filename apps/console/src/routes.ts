import type { AccountApi } from './api';
import type { Labels } from './format';

/** `#/<accountId>/<page>/<id>`: links can be shared and the back button works. */
export interface Route {
  readonly accountId?: string;
  readonly page: string;
  readonly id?: string;
}

export function parseRoute(hash: string): Route {
  const [accountId, page, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (!accountId || accountId === 'accounts') return { page: 'accounts' };
  return { accountId, page: page || 'identity', id: id || undefined };
}

export const href = (accountId: string, page: string, id?: string): string =>
  `#/${encodeURIComponent(accountId)}/${page}${id ? `/${encodeURIComponent(id)}` : ''}`;

/** What every page of an account gets. */
export interface PageContext {
  readonly api: AccountApi;
  readonly accountId: string;
  readonly labels: Labels;
  /** The auditor's key: support views only, nothing that changes anything. */
  readonly readOnly: boolean;
}
